import { registerAdminRoutes } from '@pos/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';

import {
  type DeadLetterAdminDatabase,
  type DeadLetterDetail,
  type DeadLetterFilter,
  type DeadLetterSummary,
  discardDeadLetters,
  listDeadLetters,
  replayDeadLetters,
  type ReplayOutcome,
  showDeadLetter,
} from './dead-letter-admin.ts';
import { type DeadLetterSelection, filterOfSelection } from './dead-letter-selection.ts';
import type { PayloadCipher } from './dead-letters.ts';

/**
 * What the dead-letter routes do, over one service's schema: the library functions `pnpm dlq` calls too
 * (`dead-letter-admin.ts`), bound to the service's database and `DEAD_LETTER_KEY`. A port, so the HTTP
 * surface can be tested on its own; `deadLetterOperations` is the one implementation.
 */
export interface DeadLetterOperations {
  list: (filter: DeadLetterFilter) => Promise<DeadLetterSummary[]>;
  show: (id: string, options: { payload: boolean }) => Promise<DeadLetterDetail | null>;
  replay: (filter: DeadLetterFilter, options: { actor: string; dryRun: boolean }) => Promise<ReplayOutcome[]>;
  discard: (filter: DeadLetterFilter, options: { actor: string; reason: string }) => Promise<string[]>;
}

/** The dead-letter operations over a service's own schema (`db` already `withSchema`'d). */
export function deadLetterOperations(
  db: Kysely<DeadLetterAdminDatabase>,
  cipher: PayloadCipher | null,
): DeadLetterOperations {
  return {
    list: (filter) => listDeadLetters(db, filter),
    show: (id, options) => showDeadLetter(db, id, { payload: options.payload, cipher }),
    replay: (filter, options) => replayDeadLetters(db, filter, { ...options, cipher }),
    discard: (filter, options) => discardDeadLetters(db, filter, options),
  };
}

export interface DeadLetterRoutesDeps {
  /** The service's name: dead letters are answered with their `<service>/<number>` ref, as `pnpm dlq` prints them. */
  service: string;
  /** `ADMIN_TOKEN`: every route requires it as a bearer token (`registerAdminRoutes`). */
  adminToken: string;
  /** Absent until start-up has connected to Postgres and migrated: the routes answer 503 meanwhile. */
  deadLetters?: DeadLetterOperations | undefined;
}

/** Who a replay or discard is recorded as: `api:` and the caller's own name for itself, `api:admin-token` without one. */
export const actorHeader = 'x-actor';
const actorText = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\p{L}\p{N}._@:+ -]+$/u, 'letters, digits, spaces and . _ @ : + - only');

const ageText = z.string().trim().min(1);
const filterFields = {
  case: z.string().trim().min(1).max(200).optional(),
  global: z.string().trim().min(1).max(200).optional(),
  code: z.string().trim().min(1).max(100).optional(),
  olderThan: ageText.optional(),
  newerThan: ageText.optional(),
};
const idText = z
  .string()
  .trim()
  .regex(/^(?:[a-z-]+\/)?\d+$/, 'a dead-letter number, like 12 or primero-writer/12');

const listQuery = z.strictObject({
  ...filterFields,
  state: z.enum(['open', 'replayed', 'discarded', 'all']).optional(),
  limit: z.coerce.number().int().positive().max(10_000).optional(),
});
const showQuery = z.strictObject({ payload: z.enum(['true', 'false']).optional() });
const selectionBody = {
  ...filterFields,
  id: idText.optional(),
  ids: z.array(idText).max(10_000).optional(),
  all: z.boolean().optional(),
  actor: actorText.optional(),
};
const replayBody = z.strictObject({ ...selectionBody, dryRun: z.boolean().optional() });
const discardBody = z.strictObject({
  ...selectionBody,
  reason: z.string().trim().min(1, 'a discard needs a reason: say why it is dealt with').max(1000),
});

/**
 * The admin HTTP API over a service's own dead letters — the same operations, filters and records as
 * `pnpm dlq`, behind `authorization: Bearer <ADMIN_TOKEN>`:
 *
 * - `GET /admin/dead-letters?case=&global=&code=&olderThan=&newerThan=&state=&limit=`: the open ones by
 *   default, oldest first;
 * - `GET /admin/dead-letters/:id`: metadata, reason and what was done with it; the event only with
 *   `?payload=true` (child data);
 * - `POST /admin/dead-letters/replay` `{ id | ids | case | global | code | olderThan | newerThan | all,
 *   dryRun?, actor? }`: in the order they failed, through the retries table (writers) or a re-read
 *   (pollers), exactly as `pnpm dlq replay`;
 * - `POST /admin/dead-letters/discard` `{ …the same selection, reason, actor? }`: the reason is required.
 *
 * A replay or discard is recorded in `dead_letter_actions` as `api:<actor>`: the `actor` of the body, else
 * the `x-actor` header, else `api:admin-token` (the bearer token says only that the caller holds it).
 */
export function registerDeadLetterRoutes(app: FastifyInstance, deps: DeadLetterRoutesDeps): void {
  const refOf = (id: string) => `${deps.service}/${id}`;
  /** `12` or `<this service>/12` → `12`; another service's ref → null. */
  const numberOf = (text: string): string | null => {
    const slash = text.lastIndexOf('/');
    if (slash === -1) return text;
    return text.slice(0, slash) === deps.service ? text.slice(slash + 1) : null;
  };

  registerAdminRoutes(app, deps.adminToken, (admin) => {
    admin.get('/admin/dead-letters', async (request, reply) => {
      const operations = ready(deps, reply);
      const query = operations && parse(listQuery, request.query, reply);
      if (!operations || !query) return reply;
      const filter = selected(query, reply);
      if (!filter) return reply;
      const rows = await operations.list(filter);
      return {
        service: deps.service,
        count: rows.length,
        deadLetters: rows.map((row) => ({ ref: refOf(row.id), ...row })),
      };
    });

    admin.get('/admin/dead-letters/:id', async (request, reply) => {
      const operations = ready(deps, reply);
      const query = operations && parse(showQuery, request.query, reply);
      if (!operations || !query) return reply;
      const text = (request.params as { id: string }).id;
      const id = idText.safeParse(text).success ? numberOf(text) : null;
      const detail = id === null ? null : await operations.show(id, { payload: query.payload === 'true' });
      if (!detail) return reply.code(404).send({ error: `no dead letter ${text} in ${deps.service}` });
      return {
        ref: refOf(detail.id),
        ...detail,
        ...(query.payload === 'true' ? { payload: detail.payload ?? null } : {}),
      };
    });

    admin.post('/admin/dead-letters/replay', async (request, reply) => {
      const operations = ready(deps, reply);
      const body = operations && parse(replayBody, request.body ?? {}, reply);
      if (!operations || !body) return reply;
      const actor = actorOf(request, body.actor, reply);
      const filter = actor && selected(selectionOf(body, numberOf), reply, { requireChoice: true });
      if (!actor || !filter) return reply;
      const dryRun = body.dryRun === true;
      const outcomes = await operations.replay(filter, { actor, dryRun });
      return {
        service: deps.service,
        dryRun,
        count: outcomes.length,
        outcomes: outcomes.map((outcome) => ({ ref: refOf(outcome.id), ...outcome })),
      };
    });

    admin.post('/admin/dead-letters/discard', async (request, reply) => {
      const operations = ready(deps, reply);
      const body = operations && parse(discardBody, request.body ?? {}, reply);
      if (!operations || !body) return reply;
      const actor = actorOf(request, body.actor, reply);
      const filter = actor && selected(selectionOf(body, numberOf), reply, { requireChoice: true });
      if (!actor || !filter) return reply;
      const ids = await operations.discard(filter, { actor, reason: body.reason });
      return { service: deps.service, count: ids.length, discarded: ids.map(refOf) };
    });
  });
}

function ready(deps: DeadLetterRoutesDeps, reply: FastifyReply): DeadLetterOperations | undefined {
  if (!deps.deadLetters) void reply.code(503).send({ error: 'not ready: not connected to Postgres yet' });
  return deps.deadLetters;
}

/** Parses a query or body; on a problem answers 400 naming each field, and returns undefined. */
function parse<T>(schema: z.ZodType<T>, input: unknown, reply: FastifyReply): T | undefined {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  void reply.code(400).send({
    error: result.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
      .join('; '),
  });
  return undefined;
}

function selectionOf(
  body: z.infer<typeof replayBody> | z.infer<typeof discardBody>,
  numberOf: (text: string) => string | null,
): DeadLetterSelection | null {
  const ids = [...(body.id === undefined ? [] : [body.id]), ...(body.ids ?? [])];
  const numbers = ids.map((text) => numberOf(text));
  if (numbers.some((n) => n === null)) return null;
  return {
    ...(numbers.length > 0 ? { ids: numbers as string[] } : {}),
    ...(body.case === undefined ? {} : { case: body.case }),
    ...(body.global === undefined ? {} : { global: body.global }),
    ...(body.code === undefined ? {} : { code: body.code }),
    ...(body.olderThan === undefined ? {} : { olderThan: body.olderThan }),
    ...(body.newerThan === undefined ? {} : { newerThan: body.newerThan }),
    ...(body.all === undefined ? {} : { all: body.all }),
  };
}

function selected(
  selection: DeadLetterSelection | null,
  reply: FastifyReply,
  options: { requireChoice?: boolean } = {},
): DeadLetterFilter | undefined {
  if (selection === null) {
    void reply.code(400).send({
      error: "ids: another service's dead letter: send it to that service's admin routes",
    });
    return undefined;
  }
  const result = filterOfSelection(selection, options);
  if (result.ok) return result.filter;
  void reply.code(400).send({
    error:
      result.field === 'selection'
        ? 'name dead letters (id, ids), or select them (case, global, code, olderThan, newerThan), or send "all": true'
        : `${result.field}: ${result.problem}`,
  });
  return undefined;
}

function actorOf(
  request: FastifyRequest,
  fromBody: string | undefined,
  reply: FastifyReply,
): string | undefined {
  const header = request.headers[actorHeader];
  const named = fromBody ?? (typeof header === 'string' ? header : undefined);
  if (named === undefined) return 'api:admin-token';
  const checked = actorText.safeParse(named);
  if (checked.success) return `api:${checked.data}`;
  void reply.code(400).send({ error: `actor: ${checked.error.issues[0]?.message ?? 'not a name'}` });
  return undefined;
}
