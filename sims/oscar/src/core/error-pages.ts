/**
 * OSCaR's non-JSON error responses (docs/upstream/oscar.md §8). Unhandled exceptions go to OSCaR's errors controller,
 * which renders an HTML page; when the request asked for JSON only, that template is missing and Rails sends
 * its plain-text failsafe. Gateway errors (502–504) come from the nginx in front.
 */

export const railsFailsafeBody =
  '500 Internal Server Error\n' +
  "If you are the administrator of this website, then please read this web application's log file " +
  "and/or the web server's log file to find out what went wrong.";

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: "The page you were looking for doesn't exist.",
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'The change you wanted was rejected.',
  429: 'Too Many Requests',
  500: "We're sorry, but something went wrong.",
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** The HTML page of OSCaR's errors controller (`errors/<status>.html.haml`). */
export function oscarErrorPage(status: number): string {
  const title = titles[status] ?? 'Error';
  return (
    '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n' +
    `<title>OSCaR | ${status}</title>\n</head>\n<body class="errors">\n` +
    `<div class="error-page">\n<h1>${status}</h1>\n<h2>${title}</h2>\n` +
    '<p>If you are the application owner check the logs for more information.</p>\n' +
    '<a href="/">Back to home</a>\n</div>\n</body>\n</html>\n'
  );
}

/** nginx's default page for a gateway error. */
export function nginxErrorPage(status: number): string {
  const title = `${status} ${titles[status] ?? 'Error'}`;
  return (
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
    '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
  );
}

/**
 * Rails 4.2 format negotiation for the error page. An `Accept` header listing JSON makes it a JSON request (the
 * HTML template is then missing and the failsafe is sent), unless the header also carries a browser-like
 * "any type" wildcard next to other types, as axios and browsers send; Rails then picks HTML.
 */
export function wantsJsonOnly(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  if (/,\s*\*\/\*|\*\/\*\s*,/.test(accept)) return false;
  return /application\/json/i.test(accept);
}
