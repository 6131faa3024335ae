import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import { pino } from 'pino';

export type Logger = pino.Logger;

/**
 * Paths that may carry personal data: redacted even if someone logs a whole object by mistake. The real
 * protection is that the code logs ids only; this is the second line.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["access-token"]',
  'req.headers.cookie',
  '*.password',
  '*.token',
  '*.name_first',
  '*.name_last',
  '*.given_name',
  '*.family_name',
  '*.local_given_name',
  '*.local_family_name',
  '*.date_of_birth',
  '*.location_current',
  '*.location_current_village_code',
  '*.person',
  '*.body',
  '*.payload',
];

export function createLogger(options: {
  service: string;
  level: string;
  destination?: pino.DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { service: options.service },
      mixin: traceIds,
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Synchronous writes: lines reach stdout in order and none is lost when the process exits (pino's
    // default asynchronous destination can reorder the last lines at exit). Our log volume is modest.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** The active span's ids, so that a line logged inside a traced operation can be found in its trace. */
function traceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpanContext(context.active());
  return span && isSpanContextValid(span) ? { trace_id: span.traceId, span_id: span.spanId } : {};
}
