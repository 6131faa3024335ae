import type { Listed } from '@pos/dlq';
import { deadLetterServices } from '@pos/dlq';
import type { DeadLetterDetail } from '@pos/messaging';

import { type MessageKey, outcomeKey, plainReasonKey, routeKey } from '../core/messages.ts';
import { type Html, html } from './html.ts';
import { csrfField, layout, type PageContext } from './layout.ts';

/** The list's filters, as the query string carries them (and the bulk replay's hidden fields repeat them). */
export interface DeadLetterQuery {
  service: string;
  case: string;
  global: string;
  code: string;
  state: 'open' | 'replayed' | 'discarded' | 'all';
  newerThan: '' | '1h' | '1d' | '7d' | '30d';
}

export const states = ['open', 'replayed', 'discarded', 'all'] as const;
export const ages = ['1h', '1d', '7d', '30d'] as const;

export function deadLettersPage(ctx: PageContext, query: DeadLetterQuery, rows: readonly Listed[]): string {
  const { t } = ctx;
  const option = (value: string, label: string, selected: string) =>
    html`<option value="${value}" ${value === selected ? 'selected' : ''}>${label}</option>`;
  return layout(
    ctx,
    t('deadLetters.title'),
    html`<h1>${t('deadLetters.title')}</h1>
      <p class="help">${t('deadLetters.intro')}</p>
      <form class="filters" method="get" action="/dead-letters">
        <label
          >${t('deadLetters.filter.service')}<select name="service">
            ${option('', t('deadLetters.filter.allServices'), query.service)}${Object.keys(deadLetterServices).map((s) => option(s, t(`service.${s as keyof typeof deadLetterServices}`), query.service))}
          </select></label
        >
        <label>${t('deadLetters.filter.case')}<input name="case" value="${query.case}" size="20" /></label>
        <label
          >${t('deadLetters.filter.global')}<input name="global" value="${query.global}" size="20"
        /></label>
        <label>${t('deadLetters.filter.code')}<input name="code" value="${query.code}" size="18" /></label>
        <label
          >${t('deadLetters.filter.state')}<select name="state">
            ${states.map((s) => option(s, t(`deadLetters.state.${s}`), query.state))}
          </select></label
        >
        <label
          >${t('deadLetters.filter.newerThan')}<select name="newerThan">
            ${option('', t('deadLetters.filter.anyTime'), query.newerThan)}${ages.map((a) => option(a, t(`deadLetters.age.${a}`), query.newerThan))}
          </select></label
        >
        <button type="submit">${t('common.filter')}</button>
        <a href="/dead-letters">${t('common.clear')}</a>
      </form>
      ${
        rows.length === 0
          ? html`<p data-testid="no-dead-letters">${t('deadLetters.none')}</p>`
          : html`<p>${t('deadLetters.count', { count: rows.length })}</p>
              ${query.state === 'open' ? bulkReplay(ctx, query, rows.length) : ''}
              <table data-testid="dead-letters">
                <thead>
                  <tr>
                    <th>${t('deadLetters.col.id')}</th>
                    <th>${t('deadLetters.col.failedAt')}</th>
                    <th>${t('deadLetters.col.code')}</th>
                    <th>${t('deadLetters.col.record')}</th>
                    <th>${t('deadLetters.col.why')}</th>
                    <th>${t('deadLetters.col.state')}</th>
                    <th></th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map((row) => listRow(ctx, row))}
                </tbody>
              </table>`
      }`,
  ).value;
}

function listRow(ctx: PageContext, row: Listed): Html {
  const { t, time } = ctx;
  const open = row.replayedAt === null && row.discardedAt === null;
  return html`<tr data-ref="${row.ref}">
    <td>
      <a class="id" href="/dead-letters/${row.ref}">${row.ref}</a>
      <div class="muted">${t(`service.${row.ref.split('/')[0] as keyof typeof deadLetterServices}`)}</div>
    </td>
    <td>${time.at(row.failedAt)}</td>
    <td><code>${row.code}</code></td>
    <td>${recordIds(row)}</td>
    <td>
      <div class="plain">${t(plainReasonKey(row.code))}</div>
      <div class="muted"><code>${row.reason}</code></div>
    </td>
    <td>
      ${stateOf(ctx, row)}${open && !row.replayable ? html`<div class="muted">${t('deadLetters.notReplayable')}</div>` : ''}
    </td>
    <td>${open && row.replayable ? replayForm(ctx, row.ref) : ''}</td>
  </tr>`;
}

function recordIds(row: { caseId: string | null; globalId: string | null }): Html {
  return html`${row.caseId ? html`<div><a class="id" href="/cases?q=${encodeURIComponent(row.caseId)}">${row.caseId}</a></div>` : ''}${row.globalId ? html`<div><a class="id" href="/cases?q=${encodeURIComponent(row.globalId)}">${row.globalId}</a></div>` : ''}${!row.caseId && !row.globalId ? '—' : ''}`;
}

function stateOf(ctx: PageContext, row: { replayedAt: string | null; discardedAt: string | null }): Html {
  const { t } = ctx;
  if (row.discardedAt) return html`<span class="state warn">${t('deadLetters.state.discarded')}</span>`;
  if (row.replayedAt) return html`<span class="state ok">${t('deadLetters.state.replayed')}</span>`;
  return html`<span class="state bad">${t('deadLetters.state.open')}</span>`;
}

function replayForm(ctx: PageContext, ref: string): Html {
  return html`<form class="inline" method="post" action="/dead-letters/replay">
    ${csrfField(ctx)}<input type="hidden" name="ref" value="${ref}" /><button type="submit">
      ${ctx.t('deadLetters.replay')}
    </button>
  </form>`;
}

function bulkReplay(ctx: PageContext, query: DeadLetterQuery, count: number): Html {
  return html`<form method="post" action="/dead-letters/replay">
    ${csrfField(ctx)}
    ${(['service', 'case', 'global', 'code', 'newerThan'] as const).map((name) => html`<input type="hidden" name="${name}" value="${query[name]}" />`)}
    <input type="hidden" name="all" value="shown" />
    <button type="submit" class="secondary">${ctx.t('deadLetters.replayShown', { count })}</button>
  </form>`;
}

export function deadLetterPage(ctx: PageContext, ref: string, detail: DeadLetterDetail): string {
  const { t, time } = ctx;
  const open = detail.replayedAt === null && detail.discardedAt === null;
  const route = routeKey(detail.route);
  const yesNo = (value: boolean) => t(value ? 'common.yes' : 'common.no');
  return layout(
    ctx,
    t('deadLetter.title', { ref }),
    html`<h1>${t('deadLetter.title', { ref })} ${stateOf(ctx, detail)}</h1>
      <section class="card">
        <h2>${t('deadLetter.plain')}</h2>
        <p class="plain" data-testid="plain-reason">${t(plainReasonKey(detail.code))}</p>
        <h3>${t('deadLetter.technical')}</h3>
        <p><code data-testid="technical-reason">${detail.reason}</code></p>
        <dl>
          <dt>${t('deadLetter.service')}</dt>
          <dd>${t(`service.${ref.split('/')[0] as keyof typeof deadLetterServices}`)}</dd>
          <dt>${t('deadLetter.kind')}</dt>
          <dd>${t(detail.kind === 'event' ? 'deadLetter.kind.event' : 'deadLetter.kind.record')}</dd>
          <dt>${t('deadLetters.col.code')}</dt>
          <dd><code>${detail.code}</code></dd>
          <dt>${t('deadLetter.caseId')}</dt>
          <dd>
            ${detail.caseId ? html`<a class="id" href="/cases?q=${encodeURIComponent(detail.caseId)}">${detail.caseId}</a>` : '—'}
          </dd>
          <dt>${t('deadLetter.globalId')}</dt>
          <dd>
            ${detail.globalId ? html`<a class="id" href="/cases?q=${encodeURIComponent(detail.globalId)}">${detail.globalId}</a>` : '—'}
          </dd>
          <dt>${t('deadLetter.route')}</dt>
          <dd>${route ? t(route) : ''} <code>${detail.route ?? ''}</code></dd>
          <dt>${t('deadLetter.attempts')}</dt>
          <dd>${detail.attempts}</dd>
          <dt>${t('deadLetter.firstFailed')}</dt>
          <dd>${time.at(detail.firstFailedAt)}</dd>
          <dt>${t('deadLetter.lastFailed')}</dt>
          <dd>${time.at(detail.failedAt)}</dd>
          <dt>${t('deadLetter.mappingVersion')}</dt>
          <dd><code>${detail.mappingVersion ?? '—'}</code></dd>
          <dt>${t('deadLetter.replayable')}</dt>
          <dd>${yesNo(detail.replayable)}</dd>
          <dt>${t('deadLetter.replayedAt')}</dt>
          <dd>${time.at(detail.replayedAt)}</dd>
          <dt>${t('deadLetter.discardedAt')}</dt>
          <dd>${time.at(detail.discardedAt)}</dd>
        </dl>
        ${
          open
            ? html`<p class="help">${t('deadLetter.fix')}</p>
                <div class="cards">
                  <div>
                    ${detail.replayable ? replayForm(ctx, ref) : html`<p class="muted">${t('deadLetters.notReplayable')}</p>`}
                  </div>
                  <form method="post" action="/dead-letters/discard">
                    ${csrfField(ctx)}<input type="hidden" name="ref" value="${ref}" />
                    <label
                      >${t('deadLetters.discardReason')}<input name="reason" required maxlength="500"
                    /></label>
                    <button type="submit" class="danger">${t('deadLetters.discard')}</button>
                  </form>
                </div>`
            : ''
        }
      </section>
      <h2>${t('deadLetter.history')}</h2>
      ${actionsTable(
        ctx,
        detail.actions.map((a) => ({ ...a, ref })),
      )}`,
  ).value;
}

export interface ActionRow {
  ref: string;
  action: string;
  actor: string;
  at: string;
  outcome: string;
  detail: string | null;
}

export function actionsTable(ctx: PageContext, actions: readonly ActionRow[], withRef = false): Html {
  const { t, time } = ctx;
  if (actions.length === 0) return html`<p class="muted">${t('deadLetter.noHistory')}</p>`;
  const label = (key: MessageKey | null, fallback: string) => (key ? t(key) : fallback);
  return html`<table data-testid="actions">
    <thead>
      <tr>
        <th>${t('cases.col.time')}</th>
        ${withRef ? html`<th>${t('deadLetters.col.id')}</th>` : ''}
        <th>${t('cases.col.event')}</th>
        <th>${t('cases.col.by')}</th>
        <th>${t('cases.col.outcome')}</th>
        <th>${t('cases.col.detail')}</th>
      </tr>
    </thead>
    <tbody>
      ${actions.map(
        (a) =>
          html`<tr>
            <td>${time.at(a.at)}</td>
            ${withRef ? html`<td><a class="id" href="/dead-letters/${a.ref}">${a.ref}</a></td>` : ''}
            <td>
              ${a.action === 'replay' ? t('action.replay') : a.action === 'discard' ? t('action.discard') : a.action}
            </td>
            <td>${a.actor}</td>
            <td>${label(outcomeKey(a.outcome), a.outcome)}</td>
            <td>${a.detail ?? ''}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export { recordIds, stateOf };
