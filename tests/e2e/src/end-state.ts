import type { Store as OscarStore } from '@pos/sim-oscar';

import { asArray, asRecord } from './scenario.ts';
import type { System } from './system.ts';

type Json = Record<string, unknown>;

/**
 * The stored state of both simulators in a form that two runs of one scenario can be compared in: every
 * Primero case and OSCaR client under a key that does not depend on timing, with everything a run makes up
 * on its own (record ids, ULIDs minted on accept, timestamps, OSCaR's per-tenant row numbers) replaced, so
 * that two runs that did the same work give equal maps whatever order the work happened in.
 *
 * Keys: a seeded Primero case by its place in the seed, a hand-made one by its (deterministic) `case_id`
 * (`primero:…`); one the sync created for an OSCaR client by that client (`primero-for:<client key>`); a
 * seeded OSCaR client by its NGO and row number (`oscar:…`); one an NGO created by hand by its name
 * (`oscar-named:<name>`); one the NGO created when it accepted a Primero referral by that case
 * (`oscar-for:<case key>`).
 */
export interface EndState {
  entities: Map<string, string>;
  /** The run-independent name of each id seen (Primero case_id → its key, …). */
  names: ReadonlyMap<string, string>;
  duplicates: Duplicates;
  counts: Record<string, number>;
}

export interface Duplicates {
  /** More than one Primero case for one OSCaR client. */
  primeroCases: number;
  /** More than one OSCaR client for one Primero case in one NGO. */
  oscarClients: number;
  /** More than one OSCaR referral of one Primero case with the same services in one NGO. */
  oscarReferrals: number;
  /** More than one Primero referral for one service row. */
  primeroReferrals: number;
  /** More than one service row of one case with the same type, subtype, agency and response. */
  serviceRows: number;
}

export interface EndStateKeys {
  /**
   * Primero cases that are not the sync's own (seeded, or made by people), by `case_id`, each with a name
   * that is the same in every run (seeded ids and ULIDs are random and time-based).
   */
  primeroCaseIds: Map<string, string>;
  /** OSCaR clients that existed before the sync ran (seeded), by `global_id`, each with a run-independent name. */
  oscarGlobalIds: ReadonlyMap<string, string>;
}

const uuidOrUlid =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9A-HJKMNP-TV-Z]{26})$/i;
const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const volatileKeys = new Set([
  'id',
  'created_at',
  'last_updated_at',
  'updated_at',
  'synced_date',
  'syncedDate',
  'createdAt',
  'updatedAt',
  'clientId',
  'refereeId',
  'nextClientId',
  'nextReferralId',
  'slug',
  'oscar_slug',
  'oscar_short_id',
  'unique_identifier',
  'short_id',
]);

/** Every number that names an OSCaR row of one tenant (its order of creation differs between runs). */
const tenantRowNumber = /referral_id|referralId|oscar_referral/i;

export async function captureEndState(
  system: System,
  store: OscarStore,
  keys: EndStateKeys,
): Promise<EndState> {
  const response = await system.primeroControl('GET', '/_control/cases?limit=1000000');
  const cases = asArray(asRecord(response.body).data);

  // Names for every id the two systems exchange, so one side's made-up ids read the same in both runs.
  const names = new Map<string, string>();
  const clients = [...store.tenants.values()].flatMap((tenant) => [...tenant.clients.values()]);
  const caseKey = new Map<string, string>();
  for (const c of cases) {
    const caseId = text(c.case_id);
    const known = keys.primeroCaseIds.get(caseId);
    if (known !== undefined) caseKey.set(caseId, `primero:${known}`);
  }
  const clientKey = new Map<string, string>();
  for (const client of clients) {
    if (client.deletedAt) continue;
    let key: string;
    const seeded = keys.oscarGlobalIds.get(client.globalId);
    if (seeded !== undefined) key = `oscar:${seeded}`;
    else if (client.externalId && caseKey.has(client.externalId))
      key = `oscar-for:${caseKey.get(client.externalId) ?? ''}@${client.organization}`;
    else key = `oscar-named:${client.givenName ?? ''} ${client.familyName ?? ''}@${client.organization}`;
    clientKey.set(`${client.organization}/${client.globalId}`, key);
    if (!names.has(client.globalId)) names.set(client.globalId, key);
  }
  for (const c of cases) {
    const caseId = text(c.case_id);
    if (!caseKey.has(caseId)) {
      const oscarNumber = text(c.oscar_number);
      caseKey.set(caseId, `primero-for:${names.get(oscarNumber) ?? `?${oscarNumber}`}`);
    }
    const key = caseKey.get(caseId) ?? '';
    names.set(caseId, key);
    names.set(text(c.id), `${key}#record`);
    if (typeof c.case_id_display === 'string') names.set(c.case_id_display, `${key}#display`);
    for (const row of asArray(c.services_section)) {
      if (typeof row.unique_id === 'string') names.set(row.unique_id, `${key}#service:${serviceShape(row)}`);
    }
  }

  const canonical = (value: unknown, field = ''): unknown => {
    if (typeof value === 'string') {
      if (tenantRowNumber.test(field) && /^\d+$/.test(value)) return '<row>';
      // Consent-form URLs carry the referral's row number.
      if (/\/consent_form\/\d+\//.test(value))
        return value.replace(/\/consent_form\/\d+\//, '/consent_form/<row>/');
      const named = names.get(value);
      if (named !== undefined) return named;
      if (isoTime.test(value)) return '<time>';
      if (uuidOrUlid.test(value)) return '<id>';
      return value;
    }
    if (typeof value === 'number' && tenantRowNumber.test(field)) return '<row>';
    if (value instanceof Date) return '<time>';
    if (Array.isArray(value)) {
      return value.map((item) => canonical(item, field)).sort((a, b) => (json(a) < json(b) ? -1 : 1));
    }
    if (typeof value === 'object' && value !== null) {
      const out: Json = {};
      for (const [k, v] of Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (volatileKeys.has(k) || k.endsWith('_at') || k.endsWith('At')) continue;
        out[k] = canonical(v, k);
      }
      return out;
    }
    return value;
  };

  const entities = new Map<string, string>();
  const duplicates: Duplicates = {
    primeroCases: 0,
    oscarClients: 0,
    oscarReferrals: 0,
    primeroReferrals: 0,
    serviceRows: 0,
  };
  const byOscarNumber = new Map<string, number>();
  let primeroReferralCount = 0;
  for (const c of cases) {
    const key = caseKey.get(text(c.case_id)) ?? '?';
    const referralsResponse = await system.primeroControl(
      'GET',
      `/_control/referrals?record_id=${encodeURIComponent(text(c.id))}`,
    );
    const referrals = asArray(asRecord(referralsResponse.body).data);
    primeroReferralCount += referrals.length;
    entities.set(key, json(canonical({ case: c, referrals })));
    if (typeof c.oscar_number === 'string' && c.oscar_number !== '') {
      byOscarNumber.set(c.oscar_number, (byOscarNumber.get(c.oscar_number) ?? 0) + 1);
    }
    duplicates.serviceRows += surplus(asArray(c.services_section).map(serviceShape));
    duplicates.primeroReferrals += surplus(
      referrals.map((r) => `${text(r.service_record_id)}/${text(r.transitioned_to)}`),
    );
  }
  duplicates.primeroCases = [...byOscarNumber.values()].reduce((n, count) => n + Math.max(0, count - 1), 0);

  let oscarReferralCount = 0;
  const clientsPerCase: string[] = [];
  const referralShapes: string[] = [];
  for (const tenant of store.tenants.values()) {
    const pending = new Map<string, unknown[]>();
    for (const referral of tenant.referrals.values()) {
      oscarReferralCount += 1;
      if (referral.externalId) {
        referralShapes.push(
          `${tenant.organization.shortName}/${referral.externalId}/${referral.services.map((s) => s.name).join('+')}/${referral.referredFrom ?? ''}/${referral.referralStatus ?? ''}`,
        );
      }
      if (referral.clientId !== null) continue;
      const owner = names.get(referral.externalId ?? '') ?? `?${referral.externalId ?? ''}`;
      pending.set(owner, [...(pending.get(owner) ?? []), referral]);
    }
    for (const [owner, list] of pending) {
      entities.set(`oscar-pending:${owner}@${tenant.organization.shortName}`, json(canonical(list)));
    }
    for (const client of tenant.clients.values()) {
      if (client.deletedAt) continue;
      if (client.externalId) clientsPerCase.push(`${tenant.organization.shortName}/${client.externalId}`);
      const key = clientKey.get(`${client.organization}/${client.globalId}`) ?? '?';
      const referrals = (tenant.referralsByClientId.get(client.id) ?? []).map((r) => ({ ...r }));
      entities.set(key, json(canonical({ client, referrals })));
    }
  }
  duplicates.oscarClients = surplus(clientsPerCase);
  duplicates.oscarReferrals = surplus(referralShapes);

  return {
    entities,
    names,
    duplicates,
    counts: {
      primeroCases: cases.length,
      primeroReferrals: primeroReferralCount,
      oscarClients: clients.filter((c) => !c.deletedAt).length,
      oscarReferrals: oscarReferralCount,
    },
  };
}

/** How two end states differ: keys missing or different in `actual`, and keys only `actual` has. */
export function compareEndStates(expected: EndState, actual: EndState): { lost: string[]; extra: string[] } {
  const lost: string[] = [];
  for (const [key, value] of expected.entities) {
    if (actual.entities.get(key) !== value) lost.push(key);
  }
  const extra = [...actual.entities.keys()].filter((key) => !expected.entities.has(key));
  return { lost, extra };
}

function serviceShape(row: Json): string {
  return [
    row.service_type,
    json(row.service_subtype ?? null),
    row.service_implementing_agency,
    row.service_response_type,
    row.service_being_provided_by_oscar_partner_47618 ?? '',
  ]
    .map((v) => (typeof v === 'string' ? v : json(v ?? null)))
    .join('|');
}

function surplus(values: readonly string[]): number {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts.values()].reduce((n, count) => n + Math.max(0, count - 1), 0);
}

function json(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/** The fields in which one entity differs between two end states (paths only, for the suite's report). */
export function differingFields(expected: EndState, actual: EndState, key: string): string[] {
  const a = flatten(JSON.parse(expected.entities.get(key) ?? 'null') as unknown);
  const b = flatten(JSON.parse(actual.entities.get(key) ?? 'null') as unknown);
  return [...new Set([...a.keys(), ...b.keys()])]
    .filter((path) => a.get(path) !== b.get(path))
    .map((path) => `${path}: ${a.get(path) ?? '(none)'} → ${b.get(path) ?? '(none)'}`);
}

function flatten(value: unknown, path = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) value.forEach((item, i) => flatten(item, `${path}[${i}]`, out));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  else out.set(path, json(value));
  return out;
}

/** A scalar field as text ('' when absent or not a scalar). */
function text(value: unknown): string {
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
}
