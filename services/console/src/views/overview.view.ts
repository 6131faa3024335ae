import type { PollerCall, PollerStatus } from '../adapters/pollers.client.ts';
import type { QueueDepths } from '../adapters/rabbitmq-management.ts';
import type { PollerName, PollerState, WriterName, WriterState } from '../adapters/sync-state.repository.ts';
import { pollLagMs } from '../core/time.ts';
import { type Html, html } from './html.ts';
import { csrfField, layout, type PageContext } from './layout.ts';

export interface OverviewData {
  now: Date;
  pollers: Array<{ name: PollerName; status: PollerCall<PollerStatus>; state: PollerState }>;
  writers: Array<{ name: WriterName; state: WriterState }>;
  queues: QueueDepths;
}

export function overviewPage(ctx: PageContext, data: OverviewData): string {
  const { t } = ctx;
  const totalOpen =
    data.pollers.reduce((n, p) => n + p.state.openDeadLetters, 0) +
    data.writers.reduce((n, w) => n + w.state.openDeadLetters, 0);
  return layout(
    ctx,
    t('overview.title'),
    html`<h1>${t('overview.title')}</h1>
      <p class="muted">${t('overview.refreshed', { time: ctx.time.at(data.now) })}</p>
      <p>
        <a href="/dead-letters"
          >${t('deadLetters.open')}: <strong data-testid="open-dead-letters">${totalOpen}</strong></a
        >
      </p>
      <h2>${t('overview.pollers')}</h2>
      <div class="cards">${data.pollers.map((poller) => pollerCard(ctx, poller, data.now))}</div>
      <h2>${t('overview.writers')}</h2>
      <div class="cards">${data.writers.map((writer) => writerCard(ctx, writer, data.queues))}</div>`,
  ).value;
}

function pollerCard(ctx: PageContext, poller: OverviewData['pollers'][number], now: Date): Html {
  const { t, time } = ctx;
  const status = poller.status.ok ? poller.status.value : null;
  const poll = status?.poll ?? null;
  const state = !poller.status.ok
    ? html`<span class="state bad">${t('poller.state.unreachable')}</span>`
    : poll?.running
      ? html`<span class="state warn">${t('poller.state.polling')}</span>`
      : poll?.lastError
        ? html`<span class="state bad">${t('poller.state.failing')}</span>`
        : html`<span class="state ok">${t('poller.state.ok')}</span>`;
  const cursor = poller.state.cursor;
  const lag = pollLagMs(poll?.lastSuccessAt, now);
  const outbox = poller.state.outbox;
  return html`<section class="card" data-testid="poller-${poller.name}">
    <h3>${t(`service.${poller.name}`)} ${state}</h3>
    <p class="help">${t(`service.help.${poller.name}`)}</p>
    ${poller.status.ok ? '' : html`<p class="notice error">${t(`poller.problem.${poller.status.problem.kind}`, { detail: poller.status.problem.detail })}</p>`}
    <dl>
      <dt>${t('poller.cursor')}</dt>
      <dd><code>${cursor?.value ?? t('common.none')}</code></dd>
      <dt>${t('poller.cursorMoved')}</dt>
      <dd>${cursor ? time.ago(cursor.updatedAt, now) : t('common.never')}</dd>
      <dt>${t('poller.lastSuccess')}</dt>
      <dd>
        ${poll?.lastSuccessAt ? html`${time.at(poll.lastSuccessAt)} <span class="muted">(${time.ago(poll.lastSuccessAt, now)})</span>` : t('common.never')}
      </dd>
      <dt>${t('poller.lag')}</dt>
      <dd>${lag === null ? t('common.unknown') : time.duration(lag)}</dd>
      <dt>${t('poller.lastError')}</dt>
      <dd>${poll?.lastError ?? t('common.none')}</dd>
      <dt>${t('poller.failures')}</dt>
      <dd>${poll?.consecutiveFailures ?? 0}</dd>
      <dt>${t('poller.outbox')}</dt>
      <dd data-testid="outbox-${poller.name}">${outbox.unpublished}</dd>
      <dt>${t('poller.outboxOldest')}</dt>
      <dd>
        ${outbox.oldestCreatedAt ? time.duration(now.getTime() - outbox.oldestCreatedAt.getTime()) : t('common.none')}
      </dd>
      <dt>${t('deadLetters.open')}</dt>
      <dd><a href="/dead-letters?service=${poller.name}">${poller.state.openDeadLetters}</a></dd>
    </dl>
    ${
      status?.webhooks
        ? html`<h3>${t('poller.webhooks')}</h3>
            ${keyValues(status.webhooks)}`
        : ''
    }
    <form method="post" action="/pollers/${poller.name}/poll">
      ${csrfField(ctx)}<button type="submit">${t('poller.pollNow')}</button>
    </form>
  </section>`;
}

function writerCard(ctx: PageContext, writer: OverviewData['writers'][number], queues: QueueDepths): Html {
  const { t, time } = ctx;
  const retries = writer.state.retries;
  return html`<section class="card" data-testid="writer-${writer.name}">
    <h3>${t(`service.${writer.name}`)}</h3>
    <p class="help">${t(`service.help.${writer.name}`)}</p>
    <h3>${t('writer.queues')}</h3>
    ${
      queues.ok
        ? html`<table>
            <thead>
              <tr>
                <th>${t('writer.queue')}</th>
                <th>${t('writer.waiting')}</th>
                <th>${t('writer.inProgress')}</th>
                <th>${t('writer.consumers')}</th>
              </tr>
            </thead>
            <tbody>
              ${queues.byWriter[writer.name].map(
                (q) =>
                  html`<tr>
                    <td><code>${q.name}</code></td>
                    <td>${q.ready}</td>
                    <td>${q.unacknowledged}</td>
                    <td>${q.consumers}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : html`<p class="notice error">${t('writer.queuesUnavailable', { detail: queues.detail })}</p>`
    }
    <dl>
      <dt>${t('writer.retries')}</dt>
      <dd>
        ${
          retries.length === 0
            ? t('writer.noRetries')
            : retries.map(
                (r) =>
                  html`<div>
                    ${t('writer.retryAttempt', { attempt: r.attempt, count: r.count, time: time.at(r.nextDueAt) })}
                  </div>`,
              )
        }
      </dd>
      <dt>${t('deadLetters.open')}</dt>
      <dd><a href="/dead-letters?service=${writer.name}">${writer.state.openDeadLetters}</a></dd>
    </dl>
  </section>`;
}

/** A status block of unknown shape (e.g. the webhooks' reconciliation): its scalar fields, one level deep. */
function keyValues(block: Record<string, unknown>): Html {
  const rows = Object.entries(block).map(([key, value]) => {
    const shown =
      value === null || value === undefined
        ? '—'
        : typeof value === 'object'
          ? JSON.stringify(value)
          : typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
            ? String(value)
            : '—';
    return html`<dt>${key}</dt>
      <dd><code>${shown}</code></dd>`;
  });
  return html`<dl>${rows}</dl>`;
}
