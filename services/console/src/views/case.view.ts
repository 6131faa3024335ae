import type { Listed } from '@pos/dlq';

import type { CaseIdentity, EmittedEvent, HandledEvent } from '../adapters/sync-state.repository.ts';
import { outcomeKey, plainReasonKey, routeKey } from '../core/messages.ts';
import { type ActionRow, actionsTable, stateOf } from './dead-letters.view.ts';
import { type Html, html } from './html.ts';
import { layout, type PageContext } from './layout.ts';

export interface CaseHistory {
  identity: CaseIdentity;
  emitted: EmittedEvent[];
  handled: HandledEvent[];
  deadLetters: Listed[];
  actions: ActionRow[];
}

export function casePage(
  ctx: PageContext,
  q: string,
  history: CaseHistory | null,
  options: { jaegerUiUrl: string },
): string {
  const { t } = ctx;
  const empty =
    history === null ||
    (history.emitted.length === 0 &&
      history.handled.length === 0 &&
      history.deadLetters.length === 0 &&
      history.identity.caseIds.length === 0 &&
      history.identity.globalIds.length === 0);
  return layout(
    ctx,
    t('cases.title'),
    html`<h1>${t('cases.title')}</h1>
      <form class="filters" method="get" action="/cases">
        <label>${t('cases.query')}<input name="q" value="${q}" size="44" autofocus /></label>
        <button type="submit">${t('cases.search')}</button>
      </form>
      ${
        q === ''
          ? ''
          : empty || !history
            ? html`<p data-testid="no-history">${t('cases.nothing', { q })}</p>`
            : historySections(ctx, history, options)
      }`,
  ).value;
}

function historySections(ctx: PageContext, history: CaseHistory, options: { jaegerUiUrl: string }): Html {
  const { t, time } = ctx;
  const routeLabel = (route: string) => {
    const key = routeKey(route);
    return html`${key ? t(key) : ''} <code class="muted">${route}</code>`;
  };
  const trace = (traceId: string | null) =>
    traceId && options.jaegerUiUrl
      ? html`<a
          href="${new URL(`trace/${traceId}`, options.jaegerUiUrl.endsWith('/') ? options.jaegerUiUrl : `${options.jaegerUiUrl}/`).toString()}"
          target="_blank"
          rel="noopener"
          >${t('cases.openTrace')}</a
        >`
      : traceId
        ? html`<code class="muted">${traceId}</code>`
        : '';
  return html`<h2>${t('cases.ids')}</h2>
    <dl>
      <dt>${t('cases.caseIds')}</dt>
      <dd>
        ${history.identity.caseIds.length ? history.identity.caseIds.map((id) => html`<div class="id">${id}</div>`) : '—'}
      </dd>
      <dt>${t('cases.globalIds')}</dt>
      <dd>
        ${history.identity.globalIds.length ? history.identity.globalIds.map((id) => html`<div class="id">${id}</div>`) : '—'}
      </dd>
    </dl>
    <h2>${t('cases.deadLetters')}</h2>
    ${
      history.deadLetters.length === 0
        ? html`<p class="muted">${t('common.none')}</p>`
        : html`<table data-testid="case-dead-letters">
            <thead>
              <tr>
                <th>${t('deadLetters.col.id')}</th>
                <th>${t('deadLetters.col.failedAt')}</th>
                <th>${t('deadLetters.col.why')}</th>
                <th>${t('deadLetters.col.state')}</th>
              </tr>
            </thead>
            <tbody>
              ${history.deadLetters.map(
                (row) =>
                  html`<tr data-ref="${row.ref}">
                    <td><a class="id" href="/dead-letters/${row.ref}">${row.ref}</a></td>
                    <td>${time.at(row.failedAt)}</td>
                    <td>
                      <div class="plain">${t(plainReasonKey(row.code))}</div>
                      <div class="muted"><code>${row.code}</code> <code>${row.reason}</code></div>
                    </td>
                    <td>${stateOf(ctx, row)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h2>${t('cases.actions')}</h2>
    ${actionsTable(ctx, history.actions, true)}
    <h2>${t('cases.emitted')}</h2>
    ${
      history.emitted.length === 0
        ? html`<p class="muted">${t('common.none')}</p>`
        : html`<table data-testid="emitted">
            <thead>
              <tr>
                <th>${t('cases.col.time')}</th>
                <th>${t('cases.col.service')}</th>
                <th>${t('cases.col.event')}</th>
                <th>${t('cases.col.eventId')}</th>
                <th>${t('cases.col.published')}</th>
                <th>${t('cases.col.trace')}</th>
              </tr>
            </thead>
            <tbody>
              ${history.emitted.map(
                (e) =>
                  html`<tr>
                    <td>${time.at(e.createdAt)}</td>
                    <td>${t(`service.${e.service}`)}</td>
                    <td>${routeLabel(e.route)}</td>
                    <td class="id">${e.eventId}</td>
                    <td>${e.publishedAt ? time.at(e.publishedAt) : t('cases.notPublished')}</td>
                    <td>${trace(e.traceId)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
    }
    <h2>${t('cases.handled')}</h2>
    ${
      history.handled.length === 0
        ? html`<p class="muted">${t('common.none')}</p>`
        : html`<table data-testid="handled">
            <thead>
              <tr>
                <th>${t('cases.col.time')}</th>
                <th>${t('cases.col.service')}</th>
                <th>${t('cases.col.event')}</th>
                <th>${t('cases.col.outcome')}</th>
                <th>${t('cases.col.eventId')}</th>
              </tr>
            </thead>
            <tbody>
              ${history.handled.map((h) => {
                const key = outcomeKey(h.outcome);
                return html`<tr>
                  <td>${time.at(h.processedAt)}</td>
                  <td>${t(`service.${h.service}`)}</td>
                  <td>${routeLabel(h.route)}</td>
                  <td data-outcome="${h.outcome}">${key ? t(key) : h.outcome}</td>
                  <td class="id">${h.eventId}</td>
                </tr>`;
              })}
            </tbody>
          </table>`
    }`;
}
