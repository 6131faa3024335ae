import { type DeadLetterService, deadLetterServices, listAcross, type Listed, showOne } from '@pos/dlq';
import { MappingConfigError } from '@pos/mapping';
import type { FastifyInstance } from 'fastify';

import {
  pollerNames,
  readEventHistory,
  readPollerState,
  readWriterState,
  resolveIdentity,
  subjectsOf,
  writerNames,
} from '../adapters/sync-state.repository.ts';
import { casePage } from '../views/case.view.ts';
import type { ActionRow } from '../views/dead-letters.view.ts';
import { type LastCheck, mappingCheckSection } from '../views/mapping-check.view.ts';
import { type LoadedTables, mappingsPage } from '../views/mappings.view.ts';
import { overviewPage } from '../views/overview.view.ts';
import type { AppDeps } from './app.ts';
import { field, pageContext, redirectWith, sendPage } from './context.ts';

const allServices = Object.keys(deadLetterServices) as DeadLetterService[];

/** The overview with "poll now", a case's history, and the mapping tables. */
export function registerPageRoutes(app: FastifyInstance, deps: AppDeps): void {
  const now = () => (deps.now ?? (() => new Date()))();

  app.get('/', async (request, reply) => {
    const [pollers, writers, queues] = await Promise.all([
      Promise.all(
        pollerNames.map(async (name) => ({
          name,
          status: await deps.pollers.status(name),
          state: await readPollerState(deps.db, name),
        })),
      ),
      Promise.all(writerNames.map(async (name) => ({ name, state: await readWriterState(deps.db, name) }))),
      deps.queueDepths(),
    ]);
    return sendPage(
      reply,
      overviewPage(pageContext(request, reply, deps), { now: now(), pollers, writers, queues }),
    );
  });

  app.post('/pollers/:name/poll', async (request, reply) => {
    const name = pollerNames.find((p) => p === (request.params as { name: string }).name);
    if (!name) return reply.callNotFound();
    const result = await deps.pollers.pollNow(name);
    request.log.info({ actor: request.session.user, poller: name, ok: result.ok }, 'poll now');
    return redirectWith(
      request,
      reply,
      '/',
      result.ok
        ? { kind: 'ok', key: 'poller.polled', values: result.value, labels: { service: `service.${name}` } }
        : {
            kind: 'error',
            key: `poller.problem.${result.problem.kind}`,
            values: { detail: result.problem.detail },
          },
    );
  });

  app.get('/cases', async (request, reply) => {
    const q = field(request.query, 'q').trim().slice(0, 200);
    const history = q === '' ? null : await caseHistory(deps, q);
    return sendPage(
      reply,
      casePage(pageContext(request, reply, deps), q, history, { jaegerUiUrl: deps.jaegerUiUrl }),
    );
  });

  // The last check, for every operator: it reads two live systems, so it runs when asked, not at every visit.
  let lastCheck: LastCheck | null = null;
  app.get('/mappings', async (request, reply) => {
    const loaded = await loadTables(deps);
    const ctx = pageContext(request, reply, deps);
    return sendPage(reply, mappingsPage(ctx, deps.mappings.dir, loaded, mappingCheckSection(ctx, lastCheck)));
  });

  app.post('/mappings/check', async (request, reply) => {
    const loaded = await loadTables(deps);
    if (!loaded.ok) {
      return redirectWith(request, reply, '/mappings', {
        kind: 'error',
        key: 'mappings.invalid',
        values: { detail: loaded.detail },
      });
    }
    const result = await deps.mappings.check(loaded.tables);
    lastCheck = { by: request.session.user ?? 'unknown', result };
    request.log.info({ actor: lastCheck.by, ok: result.ok, counts: result.counts }, 'mapping tables checked');
    return redirectWith(request, reply, '/mappings');
  });
}

export async function loadTables(deps: AppDeps): Promise<LoadedTables> {
  try {
    return { ok: true, tables: await deps.mappings.load() };
  } catch (error) {
    if (
      error instanceof MappingConfigError ||
      (error instanceof Error && 'code' in error && error.code === 'ENOENT')
    ) {
      return { ok: false, detail: error.message };
    }
    throw error;
  }
}

/**
 * One case's sync history: its ids on both sides, the events the pollers emitted about it, what the writers
 * made of them, its dead letters and every replay and discard of them.
 */
async function caseHistory(deps: AppDeps, q: string) {
  const identity = await resolveIdentity(deps.db, q);
  const deadLetters = new Map<string, Listed>();
  const collect = async (filter: { caseId: string } | { globalId: string }) => {
    for (const row of await listAcross(deps.db, allServices, { ...filter, state: 'all', limit: 200 })) {
      deadLetters.set(row.ref, row);
    }
  };
  // The text itself may be an id no link knows yet (a case rejected at its first read); a suffix search for
  // a short id needs the 7 characters of a display id.
  const caseIds = new Set([...identity.caseIds, ...(q.length >= 7 ? [q] : [])]);
  const globalIds = new Set([...identity.globalIds, q]);
  for (const caseId of caseIds) await collect({ caseId });
  for (const globalId of globalIds) await collect({ globalId });
  for (const row of deadLetters.values()) {
    if (row.caseId && !identity.caseIds.includes(row.caseId)) identity.caseIds.push(row.caseId);
    if (row.globalId && !identity.globalIds.includes(row.globalId)) identity.globalIds.push(row.globalId);
  }
  const { emitted, handled } = await readEventHistory(deps.db, subjectsOf(identity));
  const actions: ActionRow[] = [];
  for (const row of deadLetters.values()) {
    const [service, id] = row.ref.split('/') as [DeadLetterService, string];
    const detail = await showOne(deps.db, { service, id }, {});
    for (const action of detail?.actions ?? []) actions.push({ ...action, ref: row.ref });
  }
  actions.sort((a, b) => a.at.localeCompare(b.at));
  return {
    identity,
    emitted,
    handled,
    deadLetters: [...deadLetters.values()].sort((a, b) => a.failedAt.localeCompare(b.failedAt)),
    actions,
  };
}
