import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { nginxErrorPage, oscarErrorPage, railsFailsafeBody, wantsJsonOnly } from '../core/error-pages.ts';
import { recordError } from '../state/upsert.ts';
import { authHeaderNames, unauthorizedBody } from './guard.ts';

const html = 'text/html; charset=utf-8';

/** OSCaR's answer to an unhandled exception: its HTML 500 page, or the Rails plain-text failsafe for JSON-only requests. */
export function sendServerError(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // devise_token_auth's after_action does not run when the action raised: no auth headers on a 500.
  for (const name of authHeaderNames) reply.removeHeader(name);
  if (wantsJsonOnly(request.headers.accept)) {
    return reply.code(500).type('text/plain; charset=utf-8').send(railsFailsafeBody);
  }
  return reply.code(500).type(html).send(oscarErrorPage(500));
}

/** `sendFault` for sim-kit's injected errors: each status the way the real stack would send it. */
export function sendOscarFault(reply: FastifyReply, status: number): FastifyReply {
  if (status === 500) return sendServerError(reply.request, reply);
  if (status >= 502 && status <= 504) return reply.code(status).type(html).send(nginxErrorPage(status));
  if (status === 401) return reply.code(401).send(unauthorizedBody);
  if (status === 422) return reply.code(422).send({ message: recordError });
  return reply.code(status).type(html).send(oscarErrorPage(status));
}

function isControl(request: FastifyRequest): boolean {
  return request.url.startsWith('/_control');
}

/** Unknown routes get the HTML 404 page, exceptions the 500 page; `/_control/` keeps JSON errors. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    if (isControl(request))
      return reply
        .code(404)
        .send({ error: `no control route ${request.method} ${request.url.split('?')[0] ?? ''}` });
    return reply.code(404).type(html).send(oscarErrorPage(404));
  });

  app.setErrorHandler((error: unknown, request, reply) => {
    const statusCode = errorStatus(error);
    const code = errorCode(error);
    if (isControl(request)) {
      return reply
        .code(statusCode ?? 500)
        .send({ error: error instanceof Error ? error.message : 'unexpected error' });
    }
    // Log the exception class only: messages of parse errors can quote request bodies (child data).
    request.log.warn({ err: { code, status: statusCode ?? 500 } }, 'request failed');
    if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
      // Malformed JSON (ActionDispatch::ParamsParser::ParseError) and oversize bodies.
      return reply.code(statusCode).type(html).send(oscarErrorPage(statusCode));
    }
    return sendServerError(request, reply);
  });
}

function errorStatus(error: unknown): number | undefined {
  if (
    error !== null &&
    typeof error === 'object' &&
    'statusCode' in error &&
    typeof error.statusCode === 'number'
  ) {
    return error.statusCode;
  }
  return undefined;
}

function errorCode(error: unknown): string {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string')
    return error.code;
  return error instanceof Error ? error.name : 'unknown';
}
