import { describe, expect, it } from 'vitest';

import { documentedMetrics, everyRegisteredMetric, isDocumented } from './metrics-catalogue.ts';

describe('docs/metrics.md', () => {
  it('documents every metric the services register', () => {
    const documented = documentedMetrics();
    const missing = everyRegisteredMetric().filter((name) => !isDocumented(name, documented));
    expect(missing, `add a row to the table in docs/metrics.md for each of: ${missing.join(', ')}`).toEqual(
      [],
    );
  });

  it('lists no metric that no service registers', () => {
    const registered = new Set(everyRegisteredMetric());
    const stale = documentedMetrics().filter((name) => !name.endsWith('*') && !registered.has(name));
    expect(
      stale,
      `remove these rows from docs/metrics.md, or register the metrics: ${stale.join(', ')}`,
    ).toEqual([]);
  });
});
