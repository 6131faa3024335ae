import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { readRepositoryFile, repositoryRoot } from './apps.ts';

/**
 * A matcher for the .dockerignore patterns this repository uses: `name`, `dir/name`, `**\/name` and `*`
 * within a segment. A path is ignored when it or a folder above it matches. Exceptions (`!…`) are refused
 * rather than half-modelled.
 */
export function dockerignoreMatcher(text: string): (path: string) => boolean {
  const patterns = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const expressions = patterns.map((pattern) => {
    if (pattern.startsWith('!'))
      throw new Error(`.dockerignore exception ${pattern} is not modelled by this test`);
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .split('/')
      .map((segment) =>
        segment === '**' ? '.*' : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'),
      )
      .join('/')
      .replace(/^\.\*\//, '(?:.*/)?');
    return new RegExp(`^${body}$`);
  });
  return (path) => {
    const segments = path.split('/');
    return segments.some((_, i) => {
      const prefix = segments.slice(0, i + 1).join('/');
      return expressions.some((expression) => expression.test(prefix));
    });
  };
}

/** The build context the Dockerfile sees: the repository's files (tracked and new) less .dockerignore. */
export function buildContextFiles(): string[] {
  const ignored = dockerignoreMatcher(readRepositoryFile('.dockerignore'));
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
  });
  return listed.split('\0').filter((path) => path !== '' && !ignored(path));
}

/** A fresh copy of the build context in a temporary folder. */
export function copyBuildContext(files: readonly string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'pos-image-'));
  for (const file of files) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    try {
      cpSync(join(repositoryRoot, file), join(root, file));
    } catch (error) {
      // A file listed by git but deleted in the working tree is not in the context either.
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
  }
  return root;
}

/** Runs the Dockerfile's build step (deploy/docker/assemble-app.sh: install, bundle, production install) in a copied context; returns the image's /app. */
export function assembleApp(context: string, app: string): string {
  const out = join(context, '.image-app');
  const result = spawnSync('sh', ['deploy/docker/assemble-app.sh', app, out], {
    cwd: context,
    encoding: 'utf8',
  });
  if (result.error && 'code' in result.error && result.error.code === 'ENOENT') {
    throw new Error('sh is needed to run deploy/docker/assemble-app.sh');
  }
  if (result.status !== 0) {
    const missingPnpm = /pnpm: (not found|command not found)/.test(result.stderr);
    throw new Error(
      missingPnpm
        ? 'pnpm is not on PATH: run the tests through ./pnpmw (it puts the pinned pnpm on PATH)'
        : `assemble-app.sh ${app} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return out;
}

/** Starts `node dist/main.js` (the image's CMD) in the image's WORKDIR with the given environment, and waits for it to exit. */
export function runApp(
  image: string,
  app: string,
  env: Record<string, string>,
): { status: number | null; stderr: string; stdout: string } {
  const result = spawnSync(process.execPath, ['dist/main.js'], {
    cwd: join(image, app),
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: result.status, stderr: result.stderr, stdout: result.stdout };
}

/** Copies a folder (for breaking a copy of an assembled image). */
export function copyFolder(from: string, to: string): void {
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}
