import { readFileSync } from 'node:fs';

import {
  createMetricsRegistry,
  pollerMetrics,
  syncStatusMetrics,
  upstreamMetrics,
  webhookMetrics,
  writerMetrics,
} from '@pos/runtime';

/** Every metric a service can register: what the pollers' and writers' main.ts wire, in one registry. */
export function everyRegisteredMetric(): string[] {
  const registry = createMetricsRegistry('docs-check');
  pollerMetrics(registry, { intervalMs: 30_000 });
  writerMetrics(registry);
  upstreamMetrics(registry);
  webhookMetrics(registry);
  syncStatusMetrics(registry);
  return registry.getMetricsAsArray().map((metric) => metric.name);
}

/** The names in the first column of docs/metrics.md's "Metrics" table (`process_*` stands for a prefix). */
export function documentedMetrics(): string[] {
  const doc = readFileSync(new URL('../../docs/metrics.md', import.meta.url), 'utf8');
  const section = /^## Metrics\n([\s\S]*?)^## /m.exec(doc)?.[1] ?? '';
  return [...section.matchAll(/^\| `([a-z_*]+)` +\|/gm)].map(([, name]) => name ?? '');
}

/** Documented by its own row, or by a `prefix_*` row. */
export const isDocumented = (name: string, documented: readonly string[]): boolean =>
  documented.some((entry) => (entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : entry === name));
