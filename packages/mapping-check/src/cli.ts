#!/usr/bin/env node
// pnpm mapping:check — the mapping tables against the live Primero and OSCaR (read-only).
// Reads the services' variables (PRIMERO_*, OSCAR_*, MAPPINGS_DIR).
import { createOscarClient, createPrimeroClient } from '@pos/clients';
import { MappingConfigError } from '@pos/mapping';
import { ConfigError, loadConfig, loadMappingTables } from '@pos/runtime';
import { Command, CommanderError } from 'commander';

import { checkMappingsAgainstLive } from './check.ts';
import { renderMappingCheck } from './core/check-report.ts';
import { mappingCheckEnv } from './mapping-check.config.ts';

const program = new Command('mapping:check')
  .description(
    'Check every service, province and agency in the mapping tables against the live Primero and OSCaR (read-only).',
  )
  .option('--json', 'the whole result as JSON')
  .addHelpText(
    'after',
    `
Environment: the services' own — PRIMERO_BASE_URL/USER/PASSWORD/AUTH, OSCAR_BASE_URL/EMAIL/PASSWORD, MAPPINGS_DIR.
Exit codes: 0 everything found, 1 something the tables name is missing or disabled,
            2 a system could not be read (and nothing is missing), or wrong usage or configuration.
What is checked: packages/mapping-check/README.md.
Examples:
  pnpm mapping:check
  MAPPINGS_DIR=/tmp/new-mappings pnpm mapping:check --json > check.json`,
  )
  .exitOverride()
  .action(async (flags: { json?: boolean }) => {
    try {
      const config = loadConfig('mapping:check', mappingCheckEnv);
      const tables = await loadMappingTables(config.MAPPINGS_DIR);
      const result = await checkMappingsAgainstLive({
        tables,
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
      });
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : renderMappingCheck(result));
      process.exitCode = result.counts.missing + result.counts.disabled > 0 ? 1 : result.ok ? 0 : 2;
    } catch (error) {
      // A ConfigError's message already starts with "mapping:check:" and lists every invalid variable; a
      // MappingConfigError names the file, the row and the fix.
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${error instanceof ConfigError ? message : `mapping:check: ${message}`}\n`);
      process.exitCode = error instanceof ConfigError || error instanceof MappingConfigError ? 2 : 1;
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 1;
}
