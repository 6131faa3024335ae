import {
  type DeadLetterAdminDatabase,
  type DeadLetterDetail,
  type DeadLetterFilter,
  type DeadLetterSummary,
  discardDeadLetters,
  listDeadLetters,
  type PayloadCipher,
  replayDeadLetters,
  type ReplayOutcome,
  showDeadLetter,
} from '@pos/messaging';
import type { Kysely } from 'kysely';

/** The services that keep dead letters, and the schema each keeps them in. */
export const deadLetterServices = {
  'primero-poller': 'primero_poller',
  'oscar-poller': 'oscar_poller',
  'primero-writer': 'primero_writer',
  'oscar-writer': 'oscar_writer',
} as const;
export type DeadLetterService = keyof typeof deadLetterServices;

export function isDeadLetterService(name: string): name is DeadLetterService {
  return Object.hasOwn(deadLetterServices, name);
}

/**
 * A dead letter's id across services: `<service>/<number>` (each service numbers its own), e.g.
 * `primero-writer/12`.
 */
export function parseDeadLetterId(text: string): { service: DeadLetterService; id: string } | null {
  const match = /^([a-z-]+)\/(\d+)$/.exec(text);
  if (!match?.[1] || !match[2] || !isDeadLetterService(match[1])) return null;
  return { service: match[1], id: match[2] };
}

export interface Listed extends DeadLetterSummary {
  /** `<service>/<number>`. */
  ref: string;
}

/** The dead letters of the chosen services (all four by default), oldest first within each. */
export async function listAcross(
  db: Kysely<unknown>,
  services: readonly DeadLetterService[],
  filter: DeadLetterFilter,
): Promise<Listed[]> {
  const out: Listed[] = [];
  for (const service of services) {
    const rows = await listDeadLetters(scoped(db, service), filter).catch((error: unknown) => {
      // A service that has not run yet has no schema: it has no dead letters either.
      if (isMissingRelation(error)) return [];
      throw error;
    });
    out.push(...rows.map((row) => ({ ...row, ref: `${service}/${row.id}` })));
  }
  return out.sort((a, b) => (a.failedAt < b.failedAt ? -1 : a.failedAt > b.failedAt ? 1 : 0));
}

export async function showOne(
  db: Kysely<unknown>,
  ref: { service: DeadLetterService; id: string },
  options: { payload?: boolean; cipher?: PayloadCipher | null },
): Promise<DeadLetterDetail | null> {
  return showDeadLetter(scoped(db, ref.service), ref.id, options);
}

export async function replayAcross(
  db: Kysely<unknown>,
  services: readonly DeadLetterService[],
  filter: DeadLetterFilter,
  options: {
    actor: string;
    dryRun?: boolean;
    cipher?: PayloadCipher | null;
    onProgress?: (done: number, total: number) => void;
  },
): Promise<Array<ReplayOutcome & { ref: string }>> {
  const out: Array<ReplayOutcome & { ref: string }> = [];
  for (const service of services) {
    const outcomes = await replayDeadLetters(scoped(db, service), filter, options).catch((error: unknown) => {
      if (isMissingRelation(error)) return [];
      throw error;
    });
    out.push(...outcomes.map((o) => ({ ...o, ref: `${service}/${o.id}` })));
  }
  return out;
}

export async function discardAcross(
  db: Kysely<unknown>,
  services: readonly DeadLetterService[],
  filter: DeadLetterFilter,
  options: { actor: string; reason: string; onProgress?: (done: number, total: number) => void },
): Promise<string[]> {
  const out: string[] = [];
  for (const service of services) {
    const ids = await discardDeadLetters(scoped(db, service), filter, options).catch((error: unknown) => {
      if (isMissingRelation(error)) return [];
      throw error;
    });
    out.push(...ids.map((id) => `${service}/${id}`));
  }
  return out;
}

/** `2h`, `30m`, `7d`, `45s` → milliseconds (the admin HTTP API reads ages the same way). */
export { parseAge } from '@pos/messaging';

function scoped(db: Kysely<unknown>, service: DeadLetterService): Kysely<DeadLetterAdminDatabase> {
  return (db as Kysely<DeadLetterAdminDatabase>).withSchema(deadLetterServices[service]);
}

function isMissingRelation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '42P01';
}
