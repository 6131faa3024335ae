import type { MappingTables } from '@pos/mapping';

import type { MessageKey } from '../core/messages.ts';
import { type Html, html } from './html.ts';
import { layout, type PageContext } from './layout.ts';

export type LoadedTables = { ok: true; tables: MappingTables } | { ok: false; detail: string };

/** The mapping tables as the services load them, one section per table, and the live check below them. */
export function mappingsPage(
  ctx: PageContext,
  dir: string,
  loaded: LoadedTables,
  check: Html = html``,
): string {
  const { t } = ctx;
  return layout(
    ctx,
    t('mappings.title'),
    html`<h1>${t('mappings.title')}</h1>
      ${
        loaded.ok
          ? html`<p>${t('mappings.version', { version: loaded.tables.version, dir })}</p>
              ${check}${tablesOf(ctx, loaded.tables)}`
          : html`<p class="notice error">${t('mappings.invalid', { detail: loaded.detail })}</p>
              ${check}`
      }`,
  ).value;
}

function tablesOf(ctx: PageContext, tables: MappingTables): Html {
  const { t } = ctx;
  const section = (title: MessageKey, file: string, columns: MessageKey[], rows: Array<readonly string[]>) =>
    html`<details data-testid="table-${file}">
      <summary><strong>${t(title)}</strong> <code class="muted">${file}</code> (${rows.length})</summary>
      <table>
        <thead>
          <tr>
            ${columns.map((c) => html`<th>${t(c)}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (row) =>
              html`<tr>
                ${row.map((cell) => html`<td><code>${cell}</code></td>`)}
              </tr>`,
          )}
        </tbody>
      </table>
    </details>`;
  const status = tables.referralStatus;
  return html`<h2>${t('mappings.title')}</h2>
    ${section(
      'mappings.provinces',
      'provinces.csv',
      ['mappings.col.code', 'mappings.col.province', 'mappings.col.user'],
      [...tables.provinces].map(([code, owner]) => [code, owner.province, owner.primeroUser]),
    )}
    ${section(
      'mappings.agencies',
      'agencies.csv',
      ['mappings.col.organization', 'mappings.col.agency', 'mappings.col.user'],
      [...tables.agencies].map(([organization, owner]) => [
        organization,
        owner.primeroAgencyId,
        owner.primeroUser,
      ]),
    )}
    ${section(
      'mappings.servicesOutbound',
      'services-outbound.csv',
      ['mappings.col.from', 'mappings.col.to'],
      [...tables.servicesOutbound],
    )}
    ${section(
      'mappings.servicesInbound',
      'services-inbound.csv',
      ['mappings.col.service', 'mappings.col.to'],
      [...tables.servicesInbound].map(([name, to]) => [
        name,
        `${to.primeroServiceType} / ${to.primeroSubtype}`,
      ]),
    )}
    ${section(
      'mappings.catalogue',
      'oscar-service-catalogue.csv',
      ['mappings.col.parent', 'mappings.col.service'],
      tables.serviceCatalogue.map((s) => [s.parentType, s.serviceName]),
    )}
    ${section(
      'mappings.referralStatus',
      'referral-status.csv',
      ['mappings.col.direction', 'mappings.col.from', 'mappings.col.to'],
      [
        ...[...status.oscarToPrimeroService].map(([from, to]) => [
          'oscar_to_primero_service',
          from,
          to ?? '—',
        ]),
        ...[...status.primeroServiceToPrimeroReferral].map(([from, to]) => [
          'primero_service_to_primero_referral',
          from,
          to,
        ]),
        ...[...status.primeroToOscar].map(([from, to]) => ['primero_to_oscar', from, to]),
      ],
    )}
    ${section(
      'mappings.riskLevels',
      'risk-levels.csv',
      ['mappings.col.direction', 'mappings.col.from', 'mappings.col.to'],
      [
        ...[...tables.riskLevels.primeroToOscar].map(([from, to]) => ['primero_to_oscar', from, to]),
        ...[...tables.riskLevels.oscarToPrimero].map(([from, to]) => ['oscar_to_primero', from, to]),
      ],
    )}
    ${section(
      'mappings.genders',
      'genders.csv',
      ['mappings.col.direction', 'mappings.col.from', 'mappings.col.to'],
      [
        ...[...tables.genders.oscarToPrimero].map(([from, to]) => ['oscar_to_primero', from, to]),
        ...[...tables.genders.primeroToOscar].map(([from, to]) => ['primero_to_oscar', from, to]),
      ],
    )}`;
}
