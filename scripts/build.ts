// `pnpm build`: bundles every app (the four services, the console, both simulators) into `<app>/dist/`, the
// JavaScript that `pnpm start`, `pnpm bench` and the image run. Why a build at all, and why these choices:
// docs/deployment.md ("What an app runs").
//
// - One module instead of the ~1,100 (workspace sources and libraries) Node would otherwise load one by one,
//   and no TypeScript for Node to strip at start-up: together about 30 MB less resident memory per service
//   and less CPU (docs/benchmarks.md).
// - Left to node_modules (`external`), resolved from the app's folder, so each app lists them as its own
//   dependencies: pg and amqplib, which the OpenTelemetry instrumentations patch as they are required (a
//   copy inside the bundle could not be patched), and the OTLP exporters, which tracing requires only when
//   it exports.
// - Tracing first: an app with `src/telemetry.ts` gets it as `dist/telemetry.js`, imported by
//   `dist/main.js` before anything else, so the instrumentations are in place before pg and amqplib load —
//   the order `src/main.ts` keeps with its first import.
//
// Usage: node scripts/build.ts [app folder …]   (default: every app)
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
/** Tracing's start, which an app's `src/telemetry.ts` calls. */
const runtimeTelemetry = join(root, 'packages', 'runtime', 'src', 'telemetry.ts');

/** Every app of the workspace that runs as a process of its own. */
export const apps = [
  'services/primero-poller',
  'services/oscar-poller',
  'services/primero-writer',
  'services/oscar-writer',
  'services/console',
  'sims/primero',
  'sims/oscar',
] as const;

/** Packages the bundles leave to node_modules (each app that imports one has it in its dependencies). */
export const externalPackages = [
  'pg',
  'amqplib',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/exporter-trace-otlp-proto',
] as const;

/** Makes `<app>/dist/main.js` (and `dist/telemetry.js`); returns the files written. */
export async function buildApp(app: string): Promise<string[]> {
  const folder = resolve(root, app);
  const outdir = join(folder, 'dist');
  rmSync(outdir, { recursive: true, force: true });
  const telemetry = join(folder, 'src', 'telemetry.ts');
  const tracing = existsSync(telemetry);
  const common: BuildOptions = {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: [...externalPackages],
    // Without comments and indentation the bundle is a third of its size, and plain ASCII (non-ASCII
    // characters in strings are escaped): Node holds a module's source in memory, at two bytes a character
    // once one character is not Latin-1. Names stay as written, so stack traces still name functions; the
    // source maps beside the bundles (`node --enable-source-maps`) give the lines of the sources.
    minifyWhitespace: true,
    keepNames: true,
    charset: 'ascii',
    legalComments: 'linked',
    sourcemap: true,
    // Bundled CommonJS libraries call require() for Node's built-ins; an ES module has none of its own.
    banner: {
      js: "import { createRequire as __posCreateRequire } from 'node:module';\nconst require = __posCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
    absWorkingDir: root,
  };
  if (tracing) {
    // The app's telemetry module, with @pos/runtime's, whose exports main.js takes from here too: one copy
    // of the tracing code in the process.
    await build({
      ...common,
      stdin: {
        contents: `export * from ${JSON.stringify(runtimeTelemetry)};\nexport * from ${JSON.stringify(telemetry)};\n`,
        resolveDir: folder,
        loader: 'ts',
        sourcefile: 'telemetry.ts',
      },
      outfile: join(outdir, 'telemetry.js'),
    });
  }
  await build({
    ...common,
    entryPoints: { main: join(folder, 'src', 'main.ts') },
    outdir,
    plugins: tracing ? [importedAsBuilt([telemetry, runtimeTelemetry], './telemetry.js')] : [],
  });
  return [join(outdir, 'main.js'), ...(tracing ? [join(outdir, 'telemetry.js')] : [])];
}

/** Resolves imports of these files to the separately built `builtPath`, left as an import of its own. */
function importedAsBuilt(files: string[], builtPath: string): Plugin {
  return {
    name: 'imported-as-built',
    setup(plugin) {
      plugin.onResolve({ filter: /telemetry(\.ts)?$/ }, async (args) => {
        if (args.pluginData === 'imported-as-built') return undefined;
        const resolved = await plugin.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'imported-as-built',
        });
        return files.includes(resolved.path) ? { path: builtPath, external: true } : undefined;
      });
    },
  };
}

/** Bundles the apps given (every app by default), one after the other, and says so on stderr. */
export async function buildApps(chosen: readonly string[] = apps): Promise<void> {
  const started = performance.now();
  for (const app of chosen) await buildApp(app);
  const which = chosen.length === apps.length ? `${apps.length} apps` : chosen.join(', ');
  console.error(`build: ${which} bundled into <app>/dist/ in ${Math.round(performance.now() - started)} ms`);
}

if (import.meta.main) {
  const chosen = process.argv.slice(2).map((arg) => arg.replace(/\/$/, ''));
  const unknown = chosen.filter((app) => !(apps as readonly string[]).includes(app));
  if (unknown.length > 0) {
    console.error(`build: unknown app ${unknown.join(', ')}; the apps are ${apps.join(', ')}`);
    process.exit(2);
  }
  await buildApps(chosen.length > 0 ? chosen : apps);
}
