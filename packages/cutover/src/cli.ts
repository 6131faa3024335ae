#!/usr/bin/env node
// pnpm cutover:report — what the first sync will write over the two systems the legacy job kept (read-only).
// pnpm cutover:prime  — tell the oscar-writer what OSCaR already has, so the first sync does not send it again.
// Both read the services' variables (PRIMERO_*, OSCAR_*, DATABASE_URL, REFERRALS_CREATED_SINCE, MAPPINGS_DIR).
import { createOscarClient, createPrimeroClient } from '@pos/clients';
import { ConfigError, loadConfig, loadMappingTables } from '@pos/runtime';
import { Command, CommanderError } from 'commander';

import { type CutoverConfig, cutoverEnv } from './cutover.config.ts';
import { renderCutoverReport } from './cutover.report.ts';
import { buildCutoverReport, primeFromOscar } from './cutover.run.ts';

const program = new Command('cutover')
  .description('Cut-over from the legacy OpenFn job (docs/cutover.md).')
  .addHelpText(
    'after',
    `
Environment: the services' own — PRIMERO_BASE_URL/USER/PASSWORD/AUTH, OSCAR_BASE_URL/EMAIL/PASSWORD, DATABASE_URL,
REFERRALS_CREATED_SINCE (the oscar-writer's), MAPPINGS_DIR. Output carries ids only, never names.
Exit codes: 0 done, 1 failed, 2 wrong usage or configuration.
Examples:
  REFERRALS_CREATED_SINCE=2026-12-01T00:00:00Z pnpm cutover:report
  pnpm cutover:report --as-if-primed --json > first-sync.json
  pnpm cutover:prime`,
  )
  .exitOverride();

program
  .command('report')
  .description('what the first sync will write, by kind, with the ids to check (writes nothing)')
  .option('--as-if-primed', 'assume pnpm cutover:prime ran (else read what the oscar-writer knows now)')
  .option('--json', 'the whole report as JSON (every id)')
  .option('--limit <n>', 'ids listed per kind in the text report', '20')
  .action((flags: { asIfPrimed?: boolean; json?: boolean; limit: string }) =>
    run(async (config) => {
      const tables = await loadMappingTables(config.MAPPINGS_DIR);
      const { report } = await buildCutoverReport({
        ...clients(config),
        tables,
        referralsCreatedSince: config.REFERRALS_CREATED_SINCE,
        known: flags.asIfPrimed
          ? { from: 'as-if-primed' }
          : { from: 'database', databaseUrl: config.DATABASE_URL },
      });
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(report, null, 2)}\n`
          : renderCutoverReport(report, Number(flags.limit) || 20),
      );
    }),
  );

program
  .command('prime')
  .description("write what OSCaR already has (links, referral statuses) into the oscar-writer's memory")
  .action(() =>
    run(async (config) => {
      const { oscar } = clients(config);
      const outcome = await primeFromOscar({ oscar, databaseUrl: config.DATABASE_URL });
      process.stdout.write(
        `read ${outcome.clients} OSCaR clients; the oscar-writer now knows ${outcome.links} more links and ${outcome.decisions} more referral statuses\n`,
      );
    }),
  );

function clients(config: CutoverConfig) {
  return {
    primero: createPrimeroClient({
      baseUrl: config.PRIMERO_BASE_URL,
      user: config.PRIMERO_USER,
      password: config.PRIMERO_PASSWORD,
      auth: config.PRIMERO_AUTH,
      timeoutMs: config.PRIMERO_TIMEOUT_MS,
      maxRequestsPerSecond: config.PRIMERO_MAX_RPS,
      maxConcurrency: config.PRIMERO_MAX_CONCURRENCY,
    }),
    oscar: createOscarClient({
      baseUrl: config.OSCAR_BASE_URL,
      email: config.OSCAR_EMAIL,
      password: config.OSCAR_PASSWORD,
      timeoutMs: config.OSCAR_TIMEOUT_MS,
      maxRequestsPerSecond: config.OSCAR_MAX_RPS,
      maxConcurrency: config.OSCAR_MAX_CONCURRENCY,
    }),
  };
}

async function run(action: (config: CutoverConfig) => Promise<void>): Promise<void> {
  try {
    await action(loadConfig('cutover', cutoverEnv));
  } catch (error) {
    // A ConfigError's message already starts with "cutover:" and lists every invalid variable.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${error instanceof ConfigError ? message : `cutover: ${message}`}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  }
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 1;
}
