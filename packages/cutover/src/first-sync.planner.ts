import type { CaseChangedContent } from '@pos/mapping';
import {
  type MappingTables,
  oscarClientToEvents,
  planPrimeroCaseWrite,
  planPrimeroDecision,
  primeroCaseToEvents,
  primeroOption,
  toOscarLinkItem,
  toOscarReferralUpserts,
  toOscarStatusUpdate,
  uuidv5,
} from '@pos/mapping';
import { isOurs } from '@pos/oscar-writer/cutover';

import type { KnownOscarState } from './oscar-writer-memory.ts';
import { decisionKey } from './oscar-writer-memory.ts';

type Json = Record<string, unknown>;

/** Everything the first sync reads: both systems as they are at the cut-over. */
export interface SystemsSnapshot {
  /** Every Primero case, whole (as `GET /api/v2/cases` lists it). */
  readonly primeroCases: readonly Json[];
  /** The referrals of each case that has a service referred to OSCaR, by case record id. */
  readonly primeroReferrals: ReadonlyMap<string, readonly Json[]>;
  /** Every client `GET /api/v1/organizations/clients` lists. */
  readonly oscarClients: readonly Json[];
}

/** Why a planned write is made: one kind per change, so an administrator can check each group. */
export type ChangeKind =
  | 'case-created'
  | 'ids-written'
  | 'oscar-status-written'
  | 'mosvy-number-written'
  | 'risk-level-written'
  | 'owner-written'
  | 'other-case-fields-written'
  | 'enrolment-rows-added'
  | 'referral-rows-added'
  | 'row-status-filled'
  | 'rows-updated'
  | 'decision-to-primero'
  | 'referral-to-oscar'
  | 'link-to-oscar'
  | 'decision-to-oscar';

/** Things the first sync will not write but a person should know about. */
export type AttentionKind =
  /** In-progress MoSVY referrals created before REFERRALS_CREATED_SINCE: the legacy job's to send. */
  | 'referral-before-cutover'
  /** A record the sync cannot handle: it would be dead-lettered with this code. */
  | 'dead-letter';

/** One request the first sync would make. */
export interface PlannedWrite {
  readonly system: 'primero' | 'oscar';
  /** The route as the simulators and the upstream docs name it. */
  readonly route: string;
  /** Why: the changes it carries (a case PATCH can carry several). */
  readonly changes: readonly ChangeKind[];
  /** Ids only: Primero `case_id` and/or OSCaR `global_id`. */
  readonly caseId: string | null;
  readonly globalId: string | null;
  /** Field names written (no values: this is child-protection data). */
  readonly fields: readonly string[];
}

export interface Attention {
  readonly kind: AttentionKind;
  readonly code: string;
  readonly caseId: string | null;
  readonly globalId: string | null;
  readonly organization: string | null;
  readonly detail: string;
}

export interface FirstSyncPlan {
  readonly writes: readonly PlannedWrite[];
  readonly attention: readonly Attention[];
}

export interface FirstSyncInput {
  readonly snapshot: SystemsSnapshot;
  readonly tables: MappingTables;
  /** The oscar-writer's REFERRALS_CREATED_SINCE (empty = every referral is the sync's to send). */
  readonly referralsCreatedSince: string;
  /** What the oscar-writer knows OSCaR has: primed from OSCaR (`knownOscarState`), or nothing. */
  readonly known: KnownOscarState;
  readonly now: Date;
}

export const routes = {
  createCase: 'POST /api/v2/cases',
  patchCase: 'PATCH /api/v2/cases/:id',
  patchReferral: 'PATCH /api/v2/cases/:id/referrals/:referralId',
  upsert: 'POST /api/v1/organizations/clients/upsert',
  updateLinks: 'PUT /api/v1/organizations/clients/update_links',
  updateStatuses: 'PUT /api/v1/organizations/referrals/update_statuses',
} as const;

/**
 * What the first sync over two systems the legacy job kept would write, computed with the writers' own
 * rules (the mapping core and the oscar-writer's cut-over policy) and without writing anything:
 *
 * 1. OSCaR → Primero, as the primero-writer would: every listed client's case write (create, or the diff
 *    against the case found by `case_id`, else `oscar_number`) and every NGO decision on a MoSVY referral.
 * 2. Primero → OSCaR on the Primero state that leaves, as the oscar-writer would: referrals (only those
 *    created at or after REFERRALS_CREATED_SINCE), links and decisions that OSCaR does not already have.
 *
 * The writes of step 1 are applied to an in-memory copy before step 2, so a case created in step 1 shows
 * up as the link OSCaR gets for it. Each write names its changes by kind; records the writers would refuse
 * are listed as dead letters, and older in-progress referrals as not sent.
 */
export function planFirstSync(input: FirstSyncInput): FirstSyncPlan {
  const { tables, now } = input;
  const writes: PlannedWrite[] = [];
  const attention: Attention[] = [];
  const primero = primeroCopy(input.snapshot);

  // 1. OSCaR → Primero (primero-writer).
  for (const client of input.snapshot.oscarClients) {
    const mapped = oscarClientToEvents(client, tables, { now });
    const globalId = str(client.global_id);
    if (!mapped.ok) {
      attention.push(
        deadLetter(mapped.error.code, null, globalId, str(client.organization_name), 'oscar-poller'),
      );
      continue;
    }
    const { caseChanged, decisions } = mapped.value;
    planCaseWrite(caseChanged, primero, input, writes, attention);
    for (const decision of decisions) {
      const ref = decision.referral;
      const found = primero.find(ref.caseId, null);
      if (found === 'ambiguous' || found === null) {
        attention.push(
          deadLetter(
            found === null ? 'CASE_NOT_FOUND' : 'AMBIGUOUS_IDENTITY',
            ref.caseId,
            ref.oscarGlobalId,
            decision.decidedBy.organization,
            'primero-writer',
          ),
        );
        continue;
      }
      const recordId = String(found.id);
      const plan = planPrimeroDecision({
        decision,
        existing: found,
        referrals: primero.referrals.get(recordId) ?? [],
        tables,
      });
      if (plan.kind === 'no-match' || plan.kind === 'error') {
        attention.push(
          deadLetter(
            plan.kind === 'no-match' ? plan.code : plan.reason,
            ref.caseId,
            ref.oscarGlobalId,
            decision.decidedBy.organization,
            'primero-writer',
          ),
        );
        continue;
      }
      if (plan.referralPatch) {
        const patch = plan.referralPatch;
        writes.push({
          system: 'primero',
          route: routes.patchReferral,
          changes: ['decision-to-primero'],
          caseId: ref.caseId,
          globalId: ref.oscarGlobalId,
          fields: Object.keys(patch.data),
        });
        primero.referrals.set(
          recordId,
          (primero.referrals.get(recordId) ?? []).map((r) =>
            r.id === patch.referralId ? { ...r, status: patch.data.status } : r,
          ),
        );
      }
      if (plan.casePatch && Object.keys(plan.casePatch).length > 0) {
        writes.push({
          system: 'primero',
          route: routes.patchCase,
          changes: ['decision-to-primero', ...classify(plan.casePatch, found, true)],
          caseId: ref.caseId,
          globalId: ref.oscarGlobalId,
          fields: fieldNames(plan.casePatch),
        });
        primero.merge(found, plan.casePatch);
      }
    }
  }

  // 2. Primero → OSCaR (oscar-writer), on the Primero state the first step leaves.
  for (const record of primero.cases()) {
    const recordId = String(record.id);
    const mapped = primeroCaseToEvents(
      { case: record, referrals: primero.referrals.get(recordId) ?? [] },
      tables,
    );
    const caseId = str(record.case_id);
    if (!mapped.ok) {
      attention.push(deadLetter(mapped.error.code, caseId, str(record.oscar_number), null, 'primero-poller'));
      continue;
    }
    const { caseChanged, decisions } = mapped.value;
    if (caseChanged) {
      const createdAt = new Map(
        caseChanged.services.map((s) => [s.primeroReferralId, s.primeroReferralCreatedAt]),
      );
      for (const upsert of toOscarReferralUpserts(caseChanged, tables)) {
        const created = createdAt.get(upsert.key) ?? null;
        const organization = upsert.ok ? String(upsert.body.organization.organization_name ?? '') : null;
        if (!isOurs(created, input.referralsCreatedSince)) {
          attention.push({
            kind: 'referral-before-cutover',
            code: 'CREATED_BEFORE_CUTOVER',
            caseId,
            globalId: caseChanged.ids.oscarGlobalId,
            organization,
            detail: `Primero referral ${upsert.key}, created ${created ?? '?'}, still in progress: not sent (the legacy job sent it, or lost it — ask the NGO)`,
          });
          continue;
        }
        if (!upsert.ok) {
          attention.push(
            deadLetter(
              upsert.error.code,
              caseId,
              caseChanged.ids.oscarGlobalId,
              organization,
              'oscar-writer',
            ),
          );
          continue;
        }
        // As the oscar-writer: a referral it sent is never sent again; one it holds back goes with the global_id.
        const sent = input.known.sentReferrals.get(upsert.key);
        if (sent === 'sent') continue;
        if (sent === 'awaiting_global_id' && typeof upsert.body.organization.global_id !== 'string') continue;
        writes.push({
          system: 'oscar',
          route: routes.upsert,
          changes: ['referral-to-oscar'],
          caseId,
          globalId: caseChanged.ids.oscarGlobalId,
          fields: Object.keys(upsert.body.organization),
        });
      }
      const link = toOscarLinkItem(caseChanged);
      if (link) {
        const known = input.known.links.get(link.global_id);
        if (!known || known.caseId !== link.external_id || known.caseIdDisplay !== link.external_id_display) {
          writes.push({
            system: 'oscar',
            route: routes.updateLinks,
            changes: ['link-to-oscar'],
            caseId: primero.isNew(record) ? null : link.external_id,
            globalId: link.global_id,
            fields: Object.keys(link),
          });
        }
      }
    }
    for (const decision of decisions) {
      const item = toOscarStatusUpdate(decision, tables);
      if (!item.ok) {
        attention.push(deadLetter(item.error.code, caseId, str(record.oscar_number), null, 'oscar-writer'));
        continue;
      }
      const key = decisionKey(item.value.client_global_id, item.value.referral_id);
      if (input.known.decisions.get(key) === item.value.referral_status) continue;
      writes.push({
        system: 'oscar',
        route: routes.updateStatuses,
        changes: ['decision-to-oscar'],
        caseId,
        globalId: item.value.client_global_id,
        fields: Object.keys(item.value),
      });
    }
  }
  return { writes, attention };
}

function planCaseWrite(
  event: CaseChangedContent,
  primero: PrimeroCopy,
  input: FirstSyncInput,
  writes: PlannedWrite[],
  attention: Attention[],
): void {
  const ids = event.ids;
  const found = primero.find(ids.caseId, ids.oscarGlobalId);
  if (found === 'ambiguous') {
    attention.push(
      deadLetter('AMBIGUOUS_IDENTITY', ids.caseId, ids.oscarGlobalId, event.organization, 'primero-writer'),
    );
    return;
  }
  if (found === null && ids.caseId) {
    attention.push(
      deadLetter('CASE_NOT_FOUND', ids.caseId, ids.oscarGlobalId, event.organization, 'primero-writer'),
    );
    return;
  }
  const plan = planPrimeroCaseWrite({ event, existing: found, tables: input.tables, today: input.now });
  if (plan.kind === 'error') {
    attention.push(
      deadLetter(plan.reason, ids.caseId, ids.oscarGlobalId, event.organization, 'primero-writer'),
    );
    return;
  }
  if (plan.kind === 'create') {
    writes.push({
      system: 'primero',
      route: routes.createCase,
      changes: ['case-created'],
      caseId: null,
      globalId: ids.oscarGlobalId,
      fields: fieldNames(plan.data),
    });
    primero.add(plan.data);
    return;
  }
  if (found === null || Object.keys(plan.data).length === 0) return;
  writes.push({
    system: 'primero',
    route: routes.patchCase,
    changes: classify(plan.data, found, false),
    caseId: str(found.case_id),
    globalId: ids.oscarGlobalId,
    fields: fieldNames(plan.data),
  });
  primero.merge(found, plan.data);
}

/** The kinds of change a Primero case PATCH carries. */
export function classify(patch: Json, existing: Json, decision: boolean): ChangeKind[] {
  const kinds = new Set<ChangeKind>();
  for (const field of Object.keys(patch)) {
    if (field === 'services_section') continue;
    if (['oscar_number', 'oscar_short_id', 'case_id', 'case_id_display'].includes(field))
      kinds.add('ids-written');
    else if (field === 'oscar_status') kinds.add('oscar-status-written');
    else if (field === 'mosvy_number') kinds.add('mosvy-number-written');
    else if (field === 'risk_level') kinds.add('risk-level-written');
    else if (field === 'owned_by') kinds.add('owner-written');
    else kinds.add('other-case-fields-written');
  }
  const current = rowsOf(existing.services_section);
  // In a decision, the row's status and OSCaR referral id are the decision itself.
  const own = decision
    ? ['referral_status_edf41f2', 'oscar_referral_id_a4ac8a5']
    : ['referral_status_edf41f2'];
  for (const row of rowsOf(patch.services_section)) {
    const before = current.find((r) => r.unique_id === row.unique_id);
    if (before === undefined) {
      kinds.add(
        row.service_response_type === primeroOption.enrolment
          ? 'enrolment-rows-added'
          : 'referral-rows-added',
      );
      continue;
    }
    const fields = Object.keys(row).filter((key) => key !== 'unique_id');
    if (!decision && fields.includes('referral_status_edf41f2'))
      kinds.add(str(before.referral_status_edf41f2) ? 'rows-updated' : 'row-status-filled');
    if (fields.some((key) => !own.includes(key))) kinds.add('rows-updated');
  }
  return [...kinds];
}

/** Top-level field names of a write, `services_section.<field>` for row fields. */
function fieldNames(data: Json): string[] {
  const names = new Set<string>();
  for (const [key, value] of Object.entries(data)) {
    if (key !== 'services_section') names.add(key);
    else
      for (const row of rowsOf(value))
        for (const field of Object.keys(row)) names.add(`services_section.${field}`);
  }
  return [...names].sort();
}

function deadLetter(
  code: string,
  caseId: string | null,
  globalId: string | null,
  organization: string | null,
  service: string,
): Attention {
  return {
    kind: 'dead-letter',
    code,
    caseId,
    globalId,
    organization,
    detail: `${service} would dead-letter it (${code}); see the message it logs and docs/cutover.md`,
  };
}

interface PrimeroCopy {
  referrals: Map<string, Json[]>;
  cases(): Json[];
  /** By `case_id` first, then `oscar_number` (exact, case-insensitive), as the primero-writer looks up. */
  find(caseId: string | null, globalId: string | null): Json | null | 'ambiguous';
  add(data: Json): void;
  merge(target: Json, patch: Json): void;
  isNew(record: Json): boolean;
}

/** An in-memory copy of Primero that takes the planned writes with Primero's merge rules. */
function primeroCopy(snapshot: SystemsSnapshot): PrimeroCopy {
  const records = snapshot.primeroCases.map((record) => structuredClone(record));
  const referrals = new Map(
    [...snapshot.primeroReferrals].map(([id, list]) => [id, list.map((r) => ({ ...r }))]),
  );
  const created = new Set<Json>();
  const lookup = (field: 'case_id' | 'oscar_number', value: string) =>
    records.filter((r) => typeof r[field] === 'string' && r[field].toLowerCase() === value.toLowerCase());
  return {
    referrals,
    cases: () => records,
    find: (caseId, globalId) => {
      for (const [field, value] of [
        ['case_id', caseId],
        ['oscar_number', globalId],
      ] as const) {
        if (!value) continue;
        const hits = lookup(field, value);
        if (hits.length > 1) return 'ambiguous';
        if (hits[0]) return hits[0];
      }
      return null;
    },
    add: (data) => {
      // Primero makes the ids up; any will do for what follows (the link OSCaR gets for the new case).
      const id = uuidv5(`cutover:new-case:${String(data.oscar_number)}`);
      const record: Json = { ...structuredClone(data), id, case_id: id, case_id_display: id.slice(-7) };
      created.add(record);
      records.push(record);
    },
    merge: (target, patch) => {
      const { services_section: rows, ...fields } = patch;
      Object.assign(target, structuredClone(fields));
      const current = rowsOf(target.services_section);
      for (const row of rowsOf(rows)) {
        const existing = current.find((r) => r.unique_id === row.unique_id);
        if (existing) Object.assign(existing, structuredClone(row));
        else current.push(structuredClone(row));
      }
      target.services_section = current;
    },
    isNew: (record) => created.has(record),
  };
}

function rowsOf(value: unknown): Json[] {
  return Array.isArray(value)
    ? value.filter((row): row is Json => typeof row === 'object' && row !== null && !Array.isArray(row))
    : [];
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
