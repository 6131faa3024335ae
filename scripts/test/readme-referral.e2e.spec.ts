import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { afterAll, describe, expect, inject, it } from 'vitest';

import { demoPorts, dropDemo, spawnStart, waitFor } from './start-process.ts';

/** The `sh` block that follows the paragraph starting with `heading` in the README, as written. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const from = readme.indexOf(heading);
  const block = /```sh\n([\s\S]*?)\n```/.exec(readme.slice(from));
  if (from === -1 || !block?.[1]) throw new Error(`README.md has no sh block after "${heading}"`);
  return block[1];
}

/** Runs a script with bash (as a reader pasting it would), killed after `timeoutMs`. */
async function runBash(script: string, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (exit) => resolve(exit)));
  clearTimeout(timer);
  return { code, output };
}

/**
 * The README's "referral by hand", run as written against `pnpm start` (only the two simulator ports differ,
 * so the test meets no other start): the case reaches OSCaR, the NGO accepts it, and the acceptance comes
 * back to Primero.
 */
describe('the README referral by hand', () => {
  const demoName = `t_readme_${randomBytes(4).toString('hex')}`;

  afterAll(async () => {
    await dropDemo(demoName);
  });

  it("runs as written against pnpm start, and the NGO's acceptance reaches Primero", async () => {
    const { primeroPort, oscarPort, portBase } = await demoPorts();
    const written = readmeBlock('A referral by hand');
    expect(written).toContain('localhost:4010');
    expect(written).toContain('localhost:4020');
    const script = written
      .replaceAll('localhost:4010', `localhost:${primeroPort}`)
      .replaceAll('localhost:4020', `localhost:${oscarPort}`);
    // Every URL of the block now names one of this test's simulators.
    expect([...script.matchAll(/localhost:(\d+)/g)].map((match) => Number(match[1]))).toSatisfy(
      (ports: number[]) => ports.every((port) => port === primeroPort || port === oscarPort),
    );

    const start = spawnStart({
      DATABASE_URL: inject('databaseUrl'),
      AMQP_URL: inject('amqpUrl'),
      DEMO_NAME: demoName,
      PRIMERO_SIM_PORT: String(primeroPort),
      OSCAR_SIM_PORT: String(oscarPort),
      HTTP_PORT_BASE: String(portBase),
    });
    try {
      await waitFor(() => start.running(), 'pnpm start to be running', 90_000, start.output);
      const { code, output } = await runBash(script, 60_000);
      expect(code, `${output}\n--- pnpm start:\n${start.output.join('\n')}`).toBe(0);

      // The block's last answer: the Primero case, carrying the OSCaR client's ids.
      const lastLine = output.trim().split('\n').at(-1) ?? '';
      const [primeroCase] = (JSON.parse(lastLine) as { data: Array<Record<string, unknown>> }).data;
      expect(primeroCase).toMatchObject({
        name_last: 'Chan',
        oscar_number: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/) as unknown,
        oscar_status: 'Accepted',
      });
      const referrals = (await (
        await fetch(
          `http://127.0.0.1:${primeroPort}/_control/referrals?record_id=${String(primeroCase?.id)}`,
          {
            headers: { 'x-control-token': 'sim-control' },
          },
        )
      ).json()) as { data: Array<Record<string, unknown>> };
      expect(referrals.data).toEqual([expect.objectContaining({ status: 'accepted' })]);
    } finally {
      expect(await start.stop()).toBe(0);
    }
  });
});
