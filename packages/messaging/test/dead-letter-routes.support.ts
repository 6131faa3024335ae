import type { DeadLetterDetail } from '../src/dead-letter-admin.ts';
import type { DeadLetterOperations } from '../src/dead-letter-routes.ts';

/**
 * The dead-letter admin routes every service has, as `describeAdminSurface` takes them: each with a call
 * that does its work once (a number for `:id`, a selection for replay, a selection and a reason for discard).
 */
export const deadLetterAdminRoutes = [
  { method: 'GET', url: '/admin/dead-letters' },
  { method: 'GET', url: '/admin/dead-letters/:id', request: { url: '/admin/dead-letters/1' } },
  { method: 'POST', url: '/admin/dead-letters/replay', request: { payload: { id: '1' } } },
  {
    method: 'POST',
    url: '/admin/dead-letters/discard',
    request: { payload: { id: '1', reason: 'created again by hand' } },
  },
] as const;

/**
 * Dead-letter operations over one dead letter held in memory, counting each call, for the services' HTTP
 * surface tests (what the operations do against Postgres is tested in dead-letter-routes.int.spec.ts).
 */
export function countingDeadLetterOperations(onCall: () => void): DeadLetterOperations {
  const detail: DeadLetterDetail = {
    id: '1',
    service: 'test',
    kind: 'event',
    caseId: 'case-1',
    globalId: null,
    route: 'primero.case.changed',
    code: 'UNKNOWN_PROVINCE',
    reason: 'case case-1: location.province not in provinces.csv',
    attempts: 1,
    firstFailedAt: null,
    failedAt: new Date(0).toISOString(),
    mappingVersion: null,
    replayable: true,
    replayedAt: null,
    discardedAt: null,
    actions: [],
  };
  return {
    list: async () => {
      onCall();
      return [detail];
    },
    show: async () => {
      onCall();
      return detail;
    },
    replay: async () => {
      onCall();
      return [{ id: '1', outcome: 'queued' }];
    },
    discard: async () => {
      onCall();
      return ['1'];
    },
  };
}
