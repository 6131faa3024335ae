import type { FastifyReply } from 'fastify';

import { messages } from '../auth/authenticator.ts';

/**
 * Primero's response shapes for failures (ErrorService + the errors jbuilder view, v2.5.7):
 * `{"errors":[{"status","resource","detail"?,"message"}]}` — `status`, not `code`; `resource` is the
 * request path; `message` is an array for model validation errors. Authentication failures use
 * Devise's `{"error": "…"}` instead, and infrastructure failures (nginx, Rails routing) are HTML.
 */

export interface ErrorEntry {
  readonly status: number;
  readonly resource: string;
  readonly detail?: string | readonly string[];
  readonly message: string | readonly string[];
}

/** Thrown by route handlers; the app's error handler renders it. */
export class PrimeroError extends Error {
  readonly status: number;
  readonly entries: readonly ErrorEntry[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    entries: readonly ErrorEntry[],
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(
      entries
        .map((entry) => (Array.isArray(entry.message) ? entry.message.join(', ') : entry.message))
        .join('; '),
    );
    this.status = status;
    this.entries = entries;
    this.headers = headers;
  }
}

export function errorEntry(
  status: number,
  resource: string,
  message: string | readonly string[],
  detail?: string | readonly string[],
): ErrorEntry {
  return detail === undefined ? { status, resource, message } : { status, resource, detail, message };
}

export function primeroError(
  status: number,
  resource: string,
  message: string | readonly string[],
  detail?: string | readonly string[],
): PrimeroError {
  return new PrimeroError(status, [errorEntry(status, resource, message, detail)]);
}

export function notFound(resource: string, model: 'Child' | 'Referral', id: string): PrimeroError {
  return primeroError(404, resource, 'Not Found', `Couldn't find ${model} with 'id'=${id}`);
}

/**
 * The NoMethodError a `data` of the wrong type raises (e.g. `.to_h` on an Array), worded the way Ruby 3.3
 * words it: the class only, never the value. The value is child data; the real server does not print the
 * record, and neither does the simulator.
 *
 * @example wrongDataType('/api/v2/cases/1', 'to_h', ['Sokha']).message // "undefined method `to_h' for an instance of Array"
 */
export function wrongDataType(resource: string, method: string, data: unknown): PrimeroError {
  return primeroError(500, resource, `undefined method \`${method}' for an instance of ${rubyClassOf(data)}`);
}

function rubyClassOf(value: unknown): string {
  if (Array.isArray(value)) return 'Array';
  switch (typeof value) {
    case 'string':
      return 'String';
    case 'number':
      return Number.isInteger(value) ? 'Integer' : 'Float';
    case 'boolean':
      return value ? 'TrueClass' : 'FalseClass';
    default:
      return 'Object';
  }
}

/** ActiveRecord::RecordInvalid: one entry per attribute, `message` an array, `detail` the attribute. */
export function validationError(
  resource: string,
  errors: readonly { readonly field: string; readonly messages: readonly string[] }[],
): PrimeroError {
  return new PrimeroError(
    422,
    errors.map((error) => errorEntry(422, resource, error.messages, error.field)),
  );
}

export function sendErrors(reply: FastifyReply, error: PrimeroError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type('application/json; charset=utf-8').send({ errors: error.entries });
}

/** Devise's failure app: 401 `{"error": …}` with the realm header. */
export function sendUnauthorized(
  reply: FastifyReply,
  message: string = messages.unauthenticated,
): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'Bearer realm="Primero" charset="UTF8"')
    .type('application/json; charset=utf-8')
    .send({ error: message });
}

/** Errors::LockedForConfigurationUpdate. */
export function configLocked(resource: string): PrimeroError {
  return new PrimeroError(503, [errorEntry(503, resource, 'Service Unavailable', 'Retry-After: 60')], {
    'retry-after': '60',
  });
}

/** Rails' static public/404.html (an unknown route never reaches the JSON error handling). */
export const railsNotFoundPage = `<!DOCTYPE html>
<html>
<head>
  <title>The page you were looking for doesn't exist (404)</title>
</head>
<body>
  <div class="dialog">
    <h1>The page you were looking for doesn't exist.</h1>
    <p>You may have mistyped the address or the page may have moved.</p>
  </div>
</body>
</html>
`;

const reasons: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Large',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The default nginx error page. */
export function nginxPage(status: number, reason = reasons[status] ?? 'Error'): string {
  return `<html>\r\n<head><title>${status} ${reason}</title></head>\r\n<body>\r\n<center><h1>${status} ${reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
}

export function sendNginx(reply: FastifyReply, status: number, reason?: string): FastifyReply {
  return reply.code(status).type('text/html').send(nginxPage(status, reason));
}

/** The request path without its query string (the `resource` of an error). */
export function pathOf(url: string): string {
  const index = url.indexOf('?');
  return index === -1 ? url : url.slice(0, index);
}
