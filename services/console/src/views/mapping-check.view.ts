import type { MappingCheckResult } from '@pos/mapping-check';

import { type Html, html } from './html.ts';
import { csrfField, type PageContext } from './layout.ts';

/** The last "check against the live systems": who ran it, and what it found. */
export interface LastCheck {
  by: string;
  result: MappingCheckResult;
}

export function mappingCheckSection(ctx: PageContext, last: LastCheck | null): Html {
  const { t } = ctx;
  return html`<section class="card" data-testid="mapping-check">
    <h2>${t('mappings.check')}</h2>
    <p class="help">${t('mappings.checkIntro')}</p>
    <form method="post" action="/mappings/check">
      ${csrfField(ctx)}<button type="submit">${t('mappings.check')}</button>
    </form>
    ${last ? resultOf(ctx, last) : html`<p class="muted">${t('mappings.notCheckedYet')}</p>`}
  </section>`;
}

function resultOf(ctx: PageContext, { by, result }: LastCheck): Html {
  const { t, time } = ctx;
  const findings = result.tables.flatMap((table) =>
    table.rows.flatMap((row) => row.findings.map((finding) => ({ table: table.table, row, finding }))),
  );
  const withoutRow = result.tables.flatMap((table) =>
    table.withoutRow.map((w) => ({ table: table.table, ...w })),
  );
  const notChecked = result.tables.flatMap((table) =>
    table.notChecked.map((n) => ({ table: table.table, ...n })),
  );
  return html`<p>
      ${t('mappings.checkedBy', { time: time.at(result.checkedAt), user: by, version: result.mappingVersion })}
    </p>
    <p class="${result.ok ? 'notice ok' : 'notice error'}" data-testid="check-summary">
      ${result.ok ? t('mappings.checkOk') : t('mappings.counts', { ...result.counts })}
    </p>
    ${
      findings.length === 0
        ? ''
        : html`<h3>${t('mappings.findings')}</h3>
            <table data-testid="check-findings">
              <thead>
                <tr>
                  <th>${t('mappings.col.table')}</th>
                  <th>${t('mappings.col.row')}</th>
                  <th>${t('mappings.col.key')}</th>
                  <th>${t('mappings.col.kind')}</th>
                  <th>${t('mappings.col.system')}</th>
                  <th>${t('mappings.col.lookedUpIn')}</th>
                  <th>${t('mappings.col.column')}</th>
                  <th>${t('mappings.col.value')}</th>
                </tr>
              </thead>
              <tbody>
                ${findings.map(
                  ({ table, row, finding }) =>
                    html`<tr data-kind="${finding.kind}">
                      <td><code>${table}</code></td>
                      <td>${row.row}</td>
                      <td><code>${row.key}</code></td>
                      <td>${t(`finding.${finding.kind}`)}</td>
                      <td>${systemName(finding.system)}</td>
                      <td><code>${finding.lookedUpIn}</code></td>
                      <td><code>${finding.column}</code></td>
                      <td><code>${finding.value}</code></td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
    ${
      withoutRow.length === 0
        ? ''
        : html`<h3>${t('mappings.withoutRow')}</h3>
            <table data-testid="check-without-row">
              <thead>
                <tr>
                  <th>${t('mappings.col.table')}</th>
                  <th>${t('mappings.col.system')}</th>
                  <th>${t('mappings.col.lookedUpIn')}</th>
                  <th>${t('mappings.col.value')}</th>
                  <th>${t('mappings.col.label')}</th>
                </tr>
              </thead>
              <tbody>
                ${withoutRow.map(
                  (w) =>
                    html`<tr>
                      <td><code>${w.table}</code></td>
                      <td>${systemName(w.system)}</td>
                      <td><code>${w.lookedUpIn}</code></td>
                      <td><code>${w.value}</code></td>
                      <td>${w.label ?? ''}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
    ${
      result.errors.length === 0
        ? ''
        : html`<h3>${t('mappings.sourceErrors')}</h3>
            <table data-testid="check-errors">
              <thead>
                <tr>
                  <th>${t('mappings.col.system')}</th>
                  <th>${t('mappings.col.lookedUpIn')}</th>
                  <th>${t('mappings.col.reason')}</th>
                </tr>
              </thead>
              <tbody>
                ${result.errors.map(
                  (e) =>
                    html`<tr>
                      <td>${systemName(e.system)}</td>
                      <td><code>${e.source}</code></td>
                      <td><code>${e.code}</code> ${e.message}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }
    ${
      notChecked.length === 0
        ? ''
        : html`<h3>${t('mappings.notChecked')}</h3>
            <table>
              <thead>
                <tr>
                  <th>${t('mappings.col.table')}</th>
                  <th>${t('mappings.col.column')}</th>
                  <th>${t('mappings.col.system')}</th>
                  <th>${t('mappings.col.reason')}</th>
                </tr>
              </thead>
              <tbody>
                ${notChecked.map(
                  (n) =>
                    html`<tr>
                      <td><code>${n.table}</code></td>
                      <td><code>${n.column}</code></td>
                      <td>${systemName(n.system)}</td>
                      <td>${n.reason}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
    }`;
}

function systemName(system: 'primero' | 'oscar'): string {
  return system === 'primero' ? 'Primero' : 'OSCaR';
}
