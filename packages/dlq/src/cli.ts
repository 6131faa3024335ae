#!/usr/bin/env node
// pnpm dlq — list, show, replay and discard the sync's dead letters, straight in its database.
// The credential is the database's: DATABASE_URL must reach the services' schemas. DEAD_LETTER_KEY (the
// writers' key) is needed to replay a writer's event or to show it with --payload.
import { userInfo } from 'node:os';

import type { DeadLetterFilter, SelectionField } from '@pos/messaging';
import { filterOfSelection, payloadCipher } from '@pos/messaging';
import { createDb, createPool } from '@pos/runtime';
import { Command, CommanderError, Option } from 'commander';

import {
  type DeadLetterService,
  deadLetterServices,
  discardAcross,
  isDeadLetterService,
  listAcross,
  parseDeadLetterId,
  replayAcross,
  showOne,
} from './index.ts';

interface FilterFlags {
  service?: string;
  case?: string;
  global?: string;
  code?: string;
  olderThan?: string;
  newerThan?: string;
  state?: 'open' | 'replayed' | 'discarded' | 'all';
  limit?: string;
  json?: boolean;
}

class UsageError extends Error {}

const program = new Command('dlq')
  .description('List, show, replay and discard the dead letters of the four sync services.')
  .addHelpText(
    'after',
    `
Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), DEAD_LETTER_KEY (replay/--payload).
Ids look like primero-writer/12. Exit codes: 0 done, 1 failed, 2 wrong usage, 3 nothing matched.
Examples:
  pnpm dlq list --case 7d1f2a0
  pnpm dlq show primero-writer/12
  pnpm dlq replay --case 5f61c0d8-2f4e-4d8e-9a6a-3b1c0e6a7d10 --dry-run
  pnpm dlq replay --code UNKNOWN_PROVINCE
  pnpm dlq discard oscar-writer/3 --reason "duplicate created by hand in OSCaR"`,
  )
  .exitOverride();

const withFilters = (command: Command) =>
  command
    .addOption(new Option('--service <name>', 'only this service').choices(Object.keys(deadLetterServices)))
    .option('--case <case_id>', 'Primero case_id (or its 7-character display id)')
    .option('--global <global_id>', 'OSCaR global_id')
    .option('--code <code>', 'error code, e.g. UNKNOWN_PROVINCE')
    .option('--older-than <age>', 'failed at least this long ago (30m, 2h, 7d)')
    .option('--newer-than <age>', 'failed at most this long ago')
    .option('--json', 'machine-readable output');

withFilters(program.command('list').description('dead letters, oldest first'))
  .addOption(
    new Option('--state <state>', 'which ones')
      .choices(['open', 'replayed', 'discarded', 'all'])
      .default('open'),
  )
  .option('--limit <n>', 'at most this many per service')
  .action((flags: FilterFlags) => run(async (db) => list(db, flags)));

program
  .command('show <id>')
  .description('one dead letter: metadata, reason and what was done with it')
  .option('--payload', 'also the original event (child data: only when needed)')
  .option('--json', 'machine-readable output')
  .action((ref: string, flags: { payload?: boolean; json?: boolean }) =>
    run(async (db) => show(db, ref, flags)),
  );

withFilters(
  program
    .command('replay [ids...]')
    .description('send dead letters again, in the order they failed (per case order kept)'),
)
  .option('--all', 'every open dead letter (of --service, if given)')
  .option('--dry-run', 'print what would be replayed, change nothing')
  .option('--actor <name>', 'who replays (recorded)', defaultActor())
  .action((ids: string[], flags: FilterFlags & { all?: boolean; dryRun?: boolean; actor: string }) =>
    run(async (db) => replay(db, ids, flags)),
  );

withFilters(program.command('discard [ids...]').description('mark dead letters as dealt with, with a reason'))
  .requiredOption('--reason <text>', 'why (recorded)')
  .option('--all', 'every open dead letter (of --service, if given)')
  .option('--actor <name>', 'who discards (recorded)', defaultActor())
  .action((ids: string[], flags: FilterFlags & { all?: boolean; reason: string; actor: string }) =>
    run(async (db) => discard(db, ids, flags)),
  );

let exitCode = 0;
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    exitCode = 1;
  }
}
process.exitCode = exitCode || process.exitCode || 0;

async function run(action: (db: ReturnType<typeof createDb<unknown>>) => Promise<number>): Promise<void> {
  const pool = createPool(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', {
    applicationName: 'dlq',
    max: 2,
  });
  try {
    process.exitCode = await action(createDb<unknown>(pool));
  } catch (error) {
    process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  } finally {
    await pool.end();
  }
}

/** The flag each part of a selection comes from, to name it in a usage error. */
function flagOf(field: Exclude<SelectionField, 'selection'>): string {
  return { olderThan: '--older-than', newerThan: '--newer-than', limit: '--limit' }[field];
}

function filterOf(
  flags: FilterFlags & { all?: boolean },
  ids: readonly string[] = [],
  options: { requireChoice?: boolean } = {},
): { services: DeadLetterService[]; filter: DeadLetterFilter } {
  const refs = ids.map((text) => {
    const ref = parseDeadLetterId(text);
    if (!ref) throw new UsageError(`"${text}" is not a dead-letter id (like primero-writer/12)`);
    return ref;
  });
  const services =
    refs.length > 0
      ? [...new Set(refs.map((r) => r.service))]
      : flags.service && isDeadLetterService(flags.service)
        ? [flags.service]
        : (Object.keys(deadLetterServices) as DeadLetterService[]);
  const selected = filterOfSelection(
    {
      ids: refs.map((r) => r.id),
      ...(flags.case ? { case: flags.case } : {}),
      ...(flags.global ? { global: flags.global } : {}),
      ...(flags.code ? { code: flags.code } : {}),
      ...(flags.olderThan ? { olderThan: flags.olderThan } : {}),
      ...(flags.newerThan ? { newerThan: flags.newerThan } : {}),
      ...(flags.state ? { state: flags.state } : {}),
      ...(flags.limit ? { limit: Number(flags.limit) } : {}),
      ...(flags.all ? { all: true } : {}),
    },
    options,
  );
  if (!selected.ok) {
    throw new UsageError(
      selected.field === 'selection'
        ? 'name dead letters by id, or select them (--case, --global, --code, --older-than), or say --all'
        : `${flagOf(selected.field)} ${selected.problem}`,
    );
  }
  return { services, filter: selected.filter };
}

async function list(db: ReturnType<typeof createDb<unknown>>, flags: FilterFlags): Promise<number> {
  const { services, filter } = filterOf(flags);
  const rows = await listAcross(db, services, filter);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else if (rows.length === 0) {
    process.stdout.write('no dead letters match\n');
  } else {
    for (const row of rows) {
      const who = row.caseId ? `case ${row.caseId}` : row.globalId ? `client ${row.globalId}` : '(no id)';
      process.stdout.write(`${row.ref}  ${row.failedAt}  ${row.code}  ${who}\n    ${row.reason}\n`);
    }
    process.stdout.write(`${rows.length} dead letter(s)\n`);
  }
  return rows.length === 0 ? 3 : 0;
}

async function show(
  db: ReturnType<typeof createDb<unknown>>,
  text: string,
  flags: { payload?: boolean; json?: boolean },
): Promise<number> {
  const ref = parseDeadLetterId(text);
  if (!ref) throw new UsageError(`"${text}" is not a dead-letter id (like primero-writer/12)`);
  const detail = await showOne(db, ref, {
    payload: flags.payload === true,
    cipher: payloadCipher(process.env.DEAD_LETTER_KEY ?? ''),
  });
  if (!detail) {
    process.stderr.write(`dlq: no dead letter ${text}\n`);
    return 3;
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...detail, ref: text }, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `${text}  ${detail.kind === 'event' ? 'event' : 'source record'}  ${detail.code}`,
    `  reason:          ${detail.reason}`,
    `  case / client:   ${detail.caseId ?? '-'} / ${detail.globalId ?? '-'}`,
    `  route:           ${detail.route ?? '-'}`,
    `  attempts:        ${detail.attempts}`,
    `  first failed:    ${detail.firstFailedAt ?? '-'}`,
    `  last failed:     ${detail.failedAt}`,
    `  mapping version: ${detail.mappingVersion ?? '-'}`,
    `  replayable:      ${detail.replayable ? 'yes' : 'no (its event is no longer kept)'}`,
    `  replayed:        ${detail.replayedAt ?? '-'}   discarded: ${detail.discardedAt ?? '-'}`,
    ...detail.actions.map(
      (a) => `  ${a.at} ${a.action} by ${a.actor}: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`,
    ),
  ];
  if (flags.payload) {
    lines.push(
      detail.payload === undefined
        ? '  payload:         not available (expired, or DEAD_LETTER_KEY not set)'
        : `  payload:\n${JSON.stringify(detail.payload, null, 2)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

async function replay(
  db: ReturnType<typeof createDb<unknown>>,
  ids: string[],
  flags: FilterFlags & { all?: boolean; dryRun?: boolean; actor: string },
): Promise<number> {
  const { services, filter } = filterOf(flags, ids, { requireChoice: true });
  const outcomes = await replayAcross(db, services, filter, {
    actor: flags.actor,
    dryRun: flags.dryRun === true,
    cipher: payloadCipher(process.env.DEAD_LETTER_KEY ?? ''),
    onProgress: progress('replayed'),
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  else {
    for (const o of outcomes) {
      process.stdout.write(`${o.ref}  ${o.outcome}${'why' in o ? `: ${o.why}` : ''}\n`);
    }
    process.stdout.write(`${outcomes.length} dead letter(s)${flags.dryRun ? ' would be replayed' : ''}\n`);
  }
  if (outcomes.length === 0) return 3;
  return outcomes.some((o) => o.outcome === 'not-replayable') ? 1 : 0;
}

async function discard(
  db: ReturnType<typeof createDb<unknown>>,
  ids: string[],
  flags: FilterFlags & { all?: boolean; reason: string; actor: string },
): Promise<number> {
  const { services, filter } = filterOf(flags, ids, { requireChoice: true });
  const done = await discardAcross(db, services, filter, {
    actor: flags.actor,
    reason: flags.reason,
    onProgress: progress('discarded'),
  });
  if (flags.json) process.stdout.write(`${JSON.stringify(done)}\n`);
  else process.stdout.write(`${done.length} dead letter(s) discarded\n`);
  return done.length === 0 ? 3 : 0;
}

/** On a terminal, a progress line for long operations. */
function progress(verb: string): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (done, total) => {
    process.stderr.write(`\r${verb} ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

function defaultActor(): string {
  try {
    return process.env.DLQ_ACTOR ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}
