import { serviceProcessEnv } from '@pos/runtime/process-env';
import { describe, expect, it } from 'vitest';

import { readRepositoryFile } from '../src/apps.ts';
import { dockerfileProblems, finalStageVariables, parseDockerfile } from '../src/dockerfile.ts';

const dockerfile = readRepositoryFile('Dockerfile');
const nodeVersion = readRepositoryFile('.node-version').trim();
const problemsOf = (text: string) => dockerfileProblems(text, { nodeVersion });

/** The Dockerfile with one text replaced; fails when the text is not there, so a check never goes stale. */
function broken(search: string | RegExp, replacement: string): string {
  const changed = dockerfile.replace(search, replacement);
  if (changed === dockerfile) throw new Error(`the Dockerfile no longer contains ${String(search)}`);
  return changed;
}

describe('Dockerfile', () => {
  it('is pinned, non-root, exec-form, health-checked and free of credentials', () => {
    expect(problemsOf(dockerfile)).toEqual([]);
  });

  it('uses the Node version of .node-version', () => {
    expect(dockerfile).toContain(`FROM node:${nodeVersion}-`);
  });

  it('runs the app with the memory settings pnpm start and pnpm bench use (serviceProcessEnv)', () => {
    const variables = finalStageVariables(parseDockerfile(dockerfile));
    const set = Object.fromEntries(Object.keys(serviceProcessEnv).map((name) => [name, variables[name]]));
    expect(set).toEqual(serviceProcessEnv);
  });

  it('runs the bundle', () => {
    expect(dockerfile).toContain('CMD ["node", "dist/main.js"]');
  });

  it.each([
    [
      'an unpinned base image',
      broken(/FROM node:\S+ AS build/, 'FROM node:latest AS build'),
      'pin a public image',
    ],
    ['a base image without a tag', broken(/FROM node:\S+\n(?!.*AS)/, 'FROM node\n'), 'pin a public image'],
    ['another Node version', broken(`node:${nodeVersion}-`, 'node:22.1.0-'), '.node-version'],
    ['the root user', broken('USER 1000:1000', 'USER root'), 'non-root'],
    ['no user', broken('USER 1000:1000', ''), 'no USER'],
    ['a shell-form CMD', broken('CMD ["node", "dist/main.js"]', 'CMD node dist/main.js'), 'shell form'],
    [
      'a shell as the program',
      broken('CMD ["node", "dist/main.js"]', 'CMD ["sh", "-c", "node dist/main.js"]'),
      'run node itself',
    ],
    ['no healthcheck', broken(/HEALTHCHECK [^\n]*\\\n[^\n]*\n/, ''), 'no HEALTHCHECK'],
    [
      'a healthcheck with curl',
      broken(/CMD \["node", "-e", [^\n]*\n/, 'CMD ["curl", "-f", "http://127.0.0.1:8080/health/ready"]\n'),
      'use node -e',
    ],
    [
      'a baked password',
      broken('ENV NODE_ENV=production', 'ENV PRIMERO_PASSWORD=hunter2 NODE_ENV=production'),
      'no credential',
    ],
    [
      'a URL with a password',
      broken('ENV NODE_ENV=production', 'ENV DATABASE_URL=postgres://sync:hunter2@db/x NODE_ENV=production'),
      'URL with a password',
    ],
    ['no APP argument', dockerfile.replaceAll('ARG APP\n', ''), 'ARG APP'],
  ])('rejects %s', (_name, text, expected) => {
    expect(problemsOf(text).join('\n')).toContain(expected);
  });
});
