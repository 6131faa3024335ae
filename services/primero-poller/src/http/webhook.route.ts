import { createHash, timingSafeEqual } from 'node:crypto';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { parseNotice } from '../core/notice.policy.ts';
import type { NoticeOutcome } from '../core/pending-reads.policy.ts';

/** Where Primero posts its notices (the webhook's `url`, as Primero reaches this service). */
export const webhookPath = '/webhooks/primero';

export interface WebhookReceiverDeps {
  /** How Primero authenticates: its webhook's `auth_type`. */
  auth: 'api_key' | 'basic';
  /** `WEBHOOK_SECRET`: the api key, or `user:password` for Basic. Never logged or echoed. */
  secret: string;
  /** Schedules the targeted read of the case a notice names. */
  notice: (recordId: string) => NoticeOutcome;
  refused: (outcome: 'unauthorized' | 'malformed' | 'not_a_case') => void;
}

/** A notice is a few role-filtered fields; anything much larger is not one. */
const bodyLimit = 256 * 1024;

/**
 * `POST /webhooks/primero`: Primero's notice that a case was saved. The credential is checked before the
 * body is read; the answer (202) comes at once, and the work — reading the case again — is only scheduled.
 * The body is used for its `record_id` alone and never logged: it may be stale, is role-filtered, and holds
 * a child's data. A malformed body gets 400 (Primero records the attempt as failed and never retries it).
 */
export function registerWebhookRoute(app: FastifyInstance, deps: WebhookReceiverDeps): void {
  const expected = digest(
    deps.auth === 'api_key' ? deps.secret : `Basic ${Buffer.from(deps.secret).toString('base64')}`,
  );
  void app.register(async (scope) => {
    // Its own JSON parser: a parse error must not carry (and log) a piece of the body.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      ['application/json', 'text/plain'],
      { parseAs: 'string', bodyLimit },
      (_request, text, done) => {
        try {
          done(null, JSON.parse(text as string));
        } catch {
          done(null, malformed);
        }
      },
    );
    scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const presented =
        deps.auth === 'api_key' ? request.headers['x-api-key'] : request.headers.authorization;
      if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), expected)) {
        deps.refused('unauthorized');
        if (deps.auth === 'basic') void reply.header('www-authenticate', 'Basic realm="primero-webhook"');
        return reply.code(401).send({ error: 'unauthorized' });
      }
      return undefined;
    });
    scope.post(webhookPath, async (request, reply) => {
      const notice = parseNotice(request.body === malformed ? undefined : request.body);
      if (!notice.ok) {
        deps.refused(notice.reason === 'NOT_A_CASE' ? 'not_a_case' : 'malformed');
        // A notice for an incident or tracing request is not an error: Primero sends them to every webhook.
        if (notice.reason === 'NOT_A_CASE') return reply.code(202).send({ status: 'ignored' });
        return reply.code(400).send({ error: 'not a notice: expected {"data": {"record_id": "<uuid>"}}' });
      }
      return reply.code(202).send({ status: deps.notice(notice.recordId) });
    });
  });
}

const malformed = Symbol('malformed notice');

/** Both sides hashed to 32 bytes first, so the comparison takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
