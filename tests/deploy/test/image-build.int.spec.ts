import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { apps } from '../src/apps.ts';
import {
  assembleApp,
  buildContextFiles,
  copyBuildContext,
  copyFolder,
  dockerignoreMatcher,
  runApp,
} from '../src/image-build.ts';

/**
 * What the Dockerfile's build stage makes, without Docker: its assemble step run on a copy of the build
 * context, then the app started from the result as the image starts it. A config error (exit 78 for a
 * service) proves that every module resolved and Node stripped every type, since both happen before any
 * of the app's code runs.
 */
const context = buildContextFiles();
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Packages that only tests and tooling need: none may be in an image. */
const devOnly = [
  'vitest',
  'typescript',
  'eslint',
  'prettier',
  '@testcontainers',
  'testcontainers',
  'typescript-eslint',
];

describe('the build context', () => {
  it('leaves out what the image must not hold', () => {
    for (const path of context) {
      expect(path).not.toMatch(/(^|\/)(node_modules|\.tsbuild|\.git)\//);
      expect(path).not.toMatch(/^\.env$|^\.toolchain\//);
    }
    expect(context).toContain('deploy/docker/assemble-app.sh');
    expect(context).toContain('config/mappings/manifest.json');
  });

  it('follows .dockerignore as Docker does for these patterns', () => {
    const ignored = dockerignoreMatcher('**/node_modules\n.env\n.env.*\ndeploy/k8s\n');
    expect(ignored('packages/runtime/node_modules/x/index.js')).toBe(true);
    expect(ignored('node_modules/.pnpm/x')).toBe(true);
    expect(ignored('.env')).toBe(true);
    expect(ignored('.env.example')).toBe(true);
    expect(ignored('deploy/k8s/base/kustomization.yaml')).toBe(true);
    expect(ignored('deploy/docker/assemble-app.sh')).toBe(false);
    expect(ignored('services/x/.env')).toBe(false);
    expect(() => dockerignoreMatcher('!keep')).toThrow('not modelled');
  });
});

describe.each(apps.map((app) => [app.folder, app] as const))('the image of %s', (folder, app) => {
  let image = '';
  beforeAll(() => {
    const workspace = copyBuildContext(context);
    folders.push(workspace);
    image = assembleApp(workspace, folder);
  });

  it('holds its production dependencies only, with the @pos/* sources as real folders', () => {
    const store = readdirSync(join(image, 'node_modules', '.pnpm'));
    for (const name of devOnly) {
      expect(
        store.filter((entry) => entry.startsWith(`${name.replace('/', '+')}@`)),
        name,
      ).toEqual([]);
    }
    expect(existsSync(join(image, folder, 'src', 'main.ts'))).toBe(true);
    expect(existsSync(join(image, folder, 'test'))).toBe(false);
    expect(existsSync(join(image, 'config', 'mappings', 'manifest.json'))).toBe(true);
    expect(existsSync(join(image, 'packages', 'testkit'))).toBe(false);
    expect(store.some((entry) => entry.startsWith('@pos+'))).toBe(false);
  });

  it('starts: every import resolves and is type-stripped, up to its config check', () => {
    const run =
      app.kind === 'service'
        ? runApp(image, folder, { LOG_LEVEL: 'bogus' })
        : runApp(image, folder, { PORT: 'bogus' });
    if (app.kind === 'service') {
      expect(run.stderr).toContain('invalid configuration');
      expect(run.status).toBe(78);
    } else {
      expect(run.stderr).toMatch(/Invalid (Primero|OSCaR) simulator configuration/);
    }
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING/);
  });

  it('would not start without a workspace dependency (the check above can fail)', () => {
    const broken = `${image}-broken`;
    copyFolder(image, broken);
    const dependency = readdirSync(join(broken, 'packages'))[0];
    if (dependency === undefined) throw new Error(`${folder} has no workspace dependency`);
    rmSync(join(broken, 'packages', dependency), { recursive: true });
    const run = runApp(broken, folder, app.kind === 'service' ? { LOG_LEVEL: 'bogus' } : { PORT: 'bogus' });
    expect(run.stderr).toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
    expect(run.status).not.toBe(78);
  });
});
