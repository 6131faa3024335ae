import type { FastifyReply, FastifyRequest } from 'fastify';

import { isLanguage, type Language, translator } from '../core/messages.ts';
import { timeFormat } from '../core/time.ts';
import type { Notice, PageContext } from '../views/layout.ts';

declare module 'fastify' {
  interface Session {
    /** The signed-in operator; absent before sign-in. */
    user?: string | undefined;
    language?: Language | undefined;
    /** A one-time message for the next page. */
    notice?: Notice | undefined;
  }
}

/** The reader's language: the one chosen in this session, else Khmer when the browser asks for it first. */
export function languageOf(request: FastifyRequest): Language {
  const chosen = request.session.language;
  if (isLanguage(chosen)) return chosen;
  const accepted = request.headers['accept-language'] ?? '';
  return /^\s*km\b/i.test(accepted) ? 'km' : 'en';
}

/** Everything a page needs besides its data; takes (and so clears) the session's one-time notice. */
export function pageContext(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { timeZone: string },
  /**
   * False for the error pages of visitors who have not signed in: no forms, so no CSRF secret, so no session
   * row stored for every unknown URL a stranger tries.
   */
  withForms = true,
): PageContext {
  const language = languageOf(request);
  const t = translator(language);
  const notice = request.session.notice;
  if (notice) request.session.notice = undefined;
  return {
    t,
    time: timeFormat(language, options.timeZone, t),
    language,
    user: request.session.user,
    csrf: withForms ? reply.generateCsrf() : '',
    notice,
    path: request.url.split('?')[0] ?? '/',
  };
}

/** A form's answer: remember what happened for the next page, and send the browser there (POST → redirect → GET). */
export function redirectWith(request: FastifyRequest, reply: FastifyReply, to: string, notice?: Notice) {
  if (notice) request.session.notice = notice;
  return reply.redirect(safeLocal(to), 303);
}

/** Only a path of this console: never an absolute URL another site could supply (`//evil`, `https:…`). */
export function safeLocal(path: string | undefined): string {
  if (!path || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return '/';
  return path;
}

export function sendPage(reply: FastifyReply, body: string, status = 200) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(body);
}

/** Form fields arrive as strings (or arrays when repeated): one string, trimmed. */
export function field(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const value = (body as Record<string, unknown>)[name];
  const first = Array.isArray(value) ? (value as unknown[])[0] : value;
  return typeof first === 'string' ? first.trim() : '';
}
