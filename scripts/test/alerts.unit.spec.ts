import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { documentedMetrics, everyRegisteredMetric } from './metrics-catalogue.ts';

/** deploy/prometheus/: the alert rules and their promtool unit tests. */
const rulesDir = fileURLToPath(new URL('../../deploy/prometheus/', import.meta.url));
const rules = readFileSync(`${rulesDir}alerts.yml`, 'utf8');
const rulesTests = readFileSync(`${rulesDir}alerts.test.yml`, 'utf8');

/** Runs promtool in deploy/prometheus/; a missing promtool is an error that says how to install it. */
export function promtool(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: rulesDir, encoding: 'utf8', env });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? 'promtool is not installed, so the alert rules cannot be checked: install it with ' +
            '`apt-get install -y prometheus` (Debian ships promtool in the prometheus package; .ci/run does this)'
        : `promtool could not run: ${result.error.message}`,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const alertNames = [...rules.matchAll(/^\s+- alert: (\w+)$/gm)].map(([, name]) => name ?? '');

describe('deploy/prometheus/alerts.yml', () => {
  it('is valid for promtool check rules', () => {
    const { status, output } = promtool(['check', 'rules', 'alerts.yml']);
    expect(status, output).toBe(0);
  });

  it('raises exactly the alerts alerts.test.yml expects, and no others (promtool test rules)', () => {
    const { status, output } = promtool(['test', 'rules', 'alerts.test.yml']);
    expect(status, output).toBe(0);
  });

  it('has a rules test and a row in docs/metrics.md for every alert', () => {
    const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
    expect(alertNames.length).toBeGreaterThan(0);
    for (const name of alertNames) {
      expect(rulesTests, `alerts.test.yml has no case for ${name}`).toContain(`alertname: ${name}\n`);
      expect(doc, `docs/metrics.md does not describe ${name}`).toContain(`| \`${name}\``);
    }
  });

  it('uses only metrics the services export', () => {
    const registered = new Set(everyRegisteredMetric());
    const used = [
      ...new Set(
        [...rules.matchAll(/\b((?:sync|process|nodejs)_\w+)/g)].map(([, name]) =>
          (name ?? '').replace(/_(bucket|count|sum)$/, ''),
        ),
      ),
    ];
    expect(used.filter((name) => !registered.has(name))).toEqual([]);
    expect(documentedMetrics().length).toBeGreaterThan(0);
  });

  it('fails with how to install promtool when it is missing', () => {
    expect(() => promtool(['--version'], { PATH: '/nonexistent' })).toThrow(
      /promtool is not installed.*apt-get install -y prometheus/,
    );
  });
});
