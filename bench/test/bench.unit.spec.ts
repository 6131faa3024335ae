import { describe, expect, it } from 'vitest';

import { parseOptions } from '../src/options.ts';
import { table } from '../src/report.ts';
import { legacyCost } from '../src/stages/legacy.stage.ts';
import { percentile } from '../src/stats.ts';

describe('bench options', () => {
  it('defaults to the full-size run of every stage', () => {
    const parsed = parseOptions([], '/out');
    expect(parsed).toMatchObject({
      ok: true,
      options: {
        records: 10_000,
        stages: ['backfill', 'ceiling', 'live', 'poll', 'webhooks', 'legacy'],
        limits: ['default', 'lifted'],
        pollIntervalMs: 1000,
        liveChanges: 200,
        liveRate: 2.5,
        out: '/out',
        timeoutS: 3300,
      },
    });
  });

  it('reports every bad flag at once, each with an example of a good one', () => {
    const parsed = parseOptions(
      ['--records', 'many', '--stages', 'backfill,warp', '--live-rate', '0'],
      '/out',
    );
    expect(parsed).toEqual({
      ok: false,
      problems: [
        '--records many: must be a whole number above 0 (e.g. --records 10000)',
        '--stages backfill,warp: give a comma list of backfill, ceiling, live, poll, webhooks, legacy',
        '--live-rate 0: must be a rate from above 0 to 50 per second (e.g. --live-rate 2.5)',
      ],
    });
  });

  it('keeps the stages in their running order whatever order they are given in', () => {
    const parsed = parseOptions(['--stages', 'poll,backfill', '--limits', 'lifted'], '/out');
    expect(parsed.ok === true && parsed.options.stages).toEqual(['backfill', 'poll']);
    expect(parsed.ok === true && parsed.options.limits).toEqual(['lifted']);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 200 }, (_, i) => i + 1);
    expect([percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)]).toEqual([
      100, 190, 198,
    ]);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('legacy cost', () => {
  it('reads one page three times, with one referral fetch per case each time', () => {
    const cost = legacyCost({ records: 10_000, primeroRequestMs: 250 });
    // 4 logins + 3 × (1 + 10,000) + 2 × 10,000 upserts + 1 pending list.
    expect(cost.backfillRun.primero).toBe(4 + 30_003 + 20_000 + 1);
    expect(cost.quietDay).toEqual({ primero: 24 * 8, oscar: 24 * 5 });
    expect(cost.worstCaseLatencyMinutes.backfill).toBeCloseTo(60 + (50_008 * 250) / 60_000, 1);
  });

  it('never reads past the first page of 10,000', () => {
    expect(
      legacyCost({ records: 20_000 }).backfillRun.primero -
        legacyCost({ records: 10_000 }).backfillRun.primero,
    ).toBe(2 * 10_000);
  });
});

describe('table', () => {
  it('pads columns and rules the header', () => {
    expect(table(['a', 'long header'], [['wide cell', 'x']])).toBe(
      ['  a          long header', '  ---------  -----------', '  wide cell  x'].join('\n'),
    );
  });
});
