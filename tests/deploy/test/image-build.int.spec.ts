import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { apps, readRepositoryFile } from '../src/apps.ts';
import { finalStageVariables, parseDockerfile } from '../src/dockerfile.ts';
import {
  assembleApp,
  buildContextFiles,
  copyBuildContext,
  copyFolder,
  dockerignoreMatcher,
  runApp,
} from '../src/image-build.ts';

/**
 * What the Dockerfile's build stage makes, without Docker: its assemble step (install, bundle, production
 * install) run on a copy of the build context, then the app's bundle started from the result as the image
 * starts it, with the image's NODE_OPTIONS and MALLOC_ARENA_MAX. A config error (exit 78 for a service)
 * proves that the bundle and every package it leaves to node_modules loaded, since both happen before any
 * of the app's code runs.
 */
const context = buildContextFiles();
const imageEnv = finalStageVariables(parseDockerfile(readRepositoryFile('Dockerfile')));
const processEnv = {
  NODE_OPTIONS: imageEnv.NODE_OPTIONS ?? '',
  MALLOC_ARENA_MAX: imageEnv.MALLOC_ARENA_MAX ?? '',
};
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Packages that only tests and tooling (the build's esbuild too) need: none may be in an image. */
const devOnly = [
  'esbuild',
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

  it('holds its bundle and production dependencies only, no sources', () => {
    const store = readdirSync(join(image, 'node_modules', '.pnpm'));
    for (const name of devOnly) {
      expect(
        store.filter((entry) => entry.startsWith(`${name.replace('/', '+')}@`)),
        name,
      ).toEqual([]);
    }
    expect(existsSync(join(image, folder, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(image, folder, 'src'))).toBe(false);
    expect(existsSync(join(image, folder, 'test'))).toBe(false);
    expect(existsSync(join(image, 'packages'))).toBe(false);
    expect(existsSync(join(image, 'config', 'mappings', 'manifest.json'))).toBe(true);
    expect(store.some((entry) => entry.startsWith('@pos+'))).toBe(false);
  });

  /** The config the app refuses (a service exits 78), so that a run stops once everything has loaded. */
  const bogusConfig = app.kind === 'service' ? { LOG_LEVEL: 'bogus' } : { PORT: 'bogus' };

  it('starts: the bundle and every package it leaves to node_modules load, up to its config check', () => {
    const run = runApp(image, folder, { ...processEnv, ...bogusConfig });
    if (app.kind === 'service') {
      expect(run.stderr).toContain('invalid configuration');
      expect(run.status).toBe(78);
    } else {
      expect(run.stderr).toMatch(/Invalid (Primero|OSCaR) simulator configuration/);
    }
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
  });

  // A service's bundle imports pg (left to node_modules) before any of its code runs; a simulator's
  // bundle imports nothing that is installed, so without dist/main.js it has nothing to start.
  const missing = app.kind === 'service' ? 'the installed pg package' : 'its bundle';
  it(`would not start without ${missing} (the check above can fail)`, () => {
    const broken = `${image}-broken`;
    copyFolder(image, broken);
    if (app.kind === 'service') {
      const store = join(broken, 'node_modules', '.pnpm');
      const installed = readdirSync(store).filter((entry) => entry.startsWith('pg@'));
      if (installed.length === 0) throw new Error(`${folder}'s image holds no pg package`);
      for (const entry of installed) rmSync(join(store, entry, 'node_modules', 'pg'), { recursive: true });
    } else {
      rmSync(join(broken, folder, 'dist', 'main.js'));
    }
    const run = runApp(broken, folder, { ...processEnv, ...bogusConfig });
    expect(run.stderr).toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (package|module)/);
    expect(run.status).not.toBe(78);
  });
});
