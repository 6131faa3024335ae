import { type Context, context, propagation, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';

import type { CaseKeys } from './delivery-classification.ts';

const tracer = trace.getTracer('@pos/messaging');

/**
 * The span a handler runs under, `process <route>`, carrying ids only (event id, subject, case id, global
 * id). amqplib's instrumentation has started a consumer span that continues the trace in the headers: the
 * span stays under it (one parent chain); without the instrumentation, it continues the trace from the
 * headers. Returns the span and the context to run the handler in.
 */
export function startHandlingSpan(
  headers: Record<string, unknown>,
  event: { route: string; eventId: string; subject: string; keys: CaseKeys },
): { span: Span; context: Context } {
  const carried = propagation.extract(ROOT_CONTEXT, headers);
  const consuming = trace.getSpanContext(context.active());
  const parentContext =
    consuming !== undefined && consuming.traceId === trace.getSpanContext(carried)?.traceId
      ? context.active()
      : carried;
  const span = tracer.startSpan(
    `process ${event.route}`,
    {
      attributes: {
        'messaging.message.id': event.eventId,
        'sync.subject': event.subject,
        ...(event.keys.caseId === null ? {} : { 'sync.case_id': event.keys.caseId }),
        ...(event.keys.globalId === null ? {} : { 'sync.global_id': event.keys.globalId }),
      },
    },
    parentContext,
  );
  return { span, context: trace.setSpan(parentContext, span) };
}
