import {
  type DeadLetterService,
  deadLetterServices,
  discardAcross,
  isDeadLetterService,
  listAcross,
  parseAge,
  parseDeadLetterId,
  replayAcross,
  showOne,
} from '@pos/dlq';
import type { DeadLetterFilter } from '@pos/messaging';
import type { FastifyInstance, FastifyRequest } from 'fastify';

import {
  ages,
  deadLetterPage,
  type DeadLetterQuery,
  deadLettersPage,
  states,
} from '../views/dead-letters.view.ts';
import { messagePage } from '../views/layout.ts';
import type { AppDeps } from './app.ts';
import { field, pageContext, redirectWith, sendPage } from './context.ts';

const allServices = Object.keys(deadLetterServices) as DeadLetterService[];
/** Per service, the most a page lists (and a "replay all shown" replays). */
const pageLimit = 200;

/**
 * The dead-letter list, one dead letter, and replay / discard — through packages/dlq, the code `pnpm dlq`
 * runs, with the signed-in operator as the actor every action is recorded under.
 */
export function registerDeadLetterRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.get('/dead-letters', async (request, reply) => {
    const query = queryOf(request.query);
    const { services, filter } = selection(query);
    const rows = await listAcross(deps.db, services, { ...filter, state: query.state, limit: pageLimit });
    return sendPage(reply, deadLettersPage(pageContext(request, reply, deps), query, rows));
  });

  app.get('/dead-letters/:service/:id', async (request, reply) => {
    const { service, id } = request.params as { service: string; id: string };
    const ref = parseDeadLetterId(`${service}/${id}`);
    const detail = ref ? await showOne(deps.db, ref, {}) : null;
    const ctx = pageContext(request, reply, deps);
    if (!ref || !detail) {
      const text = ctx.t('deadLetter.notFound', { ref: `${service}/${id}` });
      return sendPage(reply, messagePage(ctx, text, text).value, 404);
    }
    return sendPage(reply, deadLetterPage(ctx, `${ref.service}/${ref.id}`, detail));
  });

  app.post('/dead-letters/replay', async (request, reply) => {
    const actor = actorOf(request);
    const target = targetOf(request.body);
    if (!target) return reply.callNotFound();
    const outcomes = await replayAcross(deps.db, target.services, target.filter, {
      actor,
      cipher: deps.cipher,
    });
    request.log.info(
      { actor, replayed: outcomes.map((o) => ({ ref: o.ref, outcome: o.outcome })) },
      'dead letters replayed',
    );
    const refused = outcomes.find((o) => o.outcome === 'not-replayable');
    const done = outcomes.filter((o) => o.outcome !== 'not-replayable');
    return redirectWith(
      request,
      reply,
      target.back,
      refused && 'why' in refused
        ? { kind: 'error', key: 'deadLetters.replayRefused', values: { why: refused.why } }
        : done.length === 0
          ? { kind: 'error', key: 'deadLetters.replayNothing' }
          : {
              kind: 'ok',
              key: 'deadLetters.replayed',
              values: { count: done.length, refs: done.map((o) => o.ref).join(', ') },
            },
    );
  });

  app.post('/dead-letters/discard', async (request, reply) => {
    const actor = actorOf(request);
    const target = targetOf(request.body);
    if (!target) return reply.callNotFound();
    const reason = field(request.body, 'reason').slice(0, 500);
    if (reason === '') {
      return redirectWith(request, reply, target.back, {
        kind: 'error',
        key: 'deadLetters.discardNeedsReason',
      });
    }
    const refs = await discardAcross(deps.db, target.services, target.filter, { actor, reason });
    request.log.info({ actor, discarded: refs }, 'dead letters discarded');
    return redirectWith(
      request,
      reply,
      target.back,
      refs.length === 0
        ? { kind: 'error', key: 'deadLetters.replayNothing' }
        : { kind: 'ok', key: 'deadLetters.discarded', values: { count: refs.length, refs: refs.join(', ') } },
    );
  });
}

function actorOf(request: FastifyRequest): string {
  // The sign-in guard runs first: a request here has a user.
  return request.session.user ?? 'unknown';
}

/** The list's query string, each value checked (anything else reads as "no filter"). */
function queryOf(raw: unknown): DeadLetterQuery {
  const text = (name: string) => field(raw, name).slice(0, 200);
  const state = states.find((s) => s === text('state')) ?? 'open';
  const newerThan = ages.find((a) => a === text('newerThan')) ?? '';
  const service = isDeadLetterService(text('service')) ? text('service') : '';
  return { service, case: text('case'), global: text('global'), code: text('code'), state, newerThan };
}

function selection(query: DeadLetterQuery): { services: DeadLetterService[]; filter: DeadLetterFilter } {
  const newerThanMs = query.newerThan ? parseAge(query.newerThan) : null;
  return {
    services: isDeadLetterService(query.service) ? [query.service] : allServices,
    filter: {
      ...(query.case ? { caseId: query.case } : {}),
      ...(query.global ? { globalId: query.global } : {}),
      ...(query.code ? { code: query.code } : {}),
      ...(newerThanMs === null ? {} : { newerThanMs }),
    },
  };
}

/**
 * What a replay or discard form is about: one dead letter (`ref`), or every open one the list showed
 * (`all=shown` with the list's filters); and where the browser goes afterwards.
 */
function targetOf(
  body: unknown,
): { services: DeadLetterService[]; filter: DeadLetterFilter; back: string } | null {
  const ref = parseDeadLetterId(field(body, 'ref'));
  if (ref) {
    return {
      services: [ref.service],
      filter: { ids: [ref.id], state: 'open' },
      back: `/dead-letters/${ref.service}/${ref.id}`,
    };
  }
  if (field(body, 'all') !== 'shown') return null;
  const query = queryOf(body);
  const { services, filter } = selection({ ...query, state: 'open' });
  const params = new URLSearchParams(
    Object.entries({ ...query, state: 'open' }).filter(([, value]) => value !== ''),
  );
  return {
    services,
    filter: { ...filter, state: 'open', limit: pageLimit },
    back: `/dead-letters?${params.toString()}`,
  };
}
