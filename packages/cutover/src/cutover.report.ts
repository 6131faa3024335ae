import type { Attention, AttentionKind, ChangeKind, FirstSyncPlan } from './first-sync.planner.ts';

/**
 * The cut-over report an administrator reads before switching the legacy job off: what the first sync
 * will write, grouped by why, with the ids to check; what it will not send; what it cannot handle.
 * Ids only, never names or other child data.
 */
export interface CutoverReport {
  readonly generatedAt: string;
  readonly referralsCreatedSince: string;
  /** Whether the oscar-writer was primed with what OSCaR already has (`pnpm cutover:prime`). */
  readonly primed: boolean;
  readonly read: { readonly primeroCases: number; readonly oscarClients: number };
  /** Requests the first sync will make, by system and route. */
  readonly requests: {
    readonly primero: Readonly<Record<string, number>>;
    readonly oscar: Readonly<Record<string, number>>;
  };
  /** Writes carrying each kind of change (one write can carry several), with the records' ids. */
  readonly changes: Readonly<Partial<Record<ChangeKind, Group>>>;
  readonly attention: Readonly<Partial<Record<AttentionKind, Group>>>;
}

export interface Group {
  readonly count: number;
  /** `case_id` and/or OSCaR `global_id` of each record (`case_id ⇄ global_id`). */
  readonly records: readonly string[];
  /** By error code or NGO, where that helps. */
  readonly by?: Readonly<Record<string, number>>;
}

/** What each kind of change means, and which legacy fault usually left it (docs/legacy-integration.md §6). */
export const changeMeaning: Readonly<Record<ChangeKind, string>> = {
  'case-created':
    'Primero case created for an OSCaR client it never had (e.g. Stung Treng referrals, legacy bug 4)',
  'ids-written': 'OSCaR ids (oscar_number, short id) written onto a Primero case (legacy bugs 1, 3)',
  'oscar-status-written': "the client's OSCaR status brought up to date in Primero (legacy bug 3)",
  'mosvy-number-written': 'the MoSVY number recorded in OSCaR written into Primero (legacy bug 3)',
  'risk-level-written':
    "the NGO's level of risk written over the no_action the legacy job put there (legacy bug 12)",
  'owner-written': 'case owner recomputed from the province or NGO (legacy rule §5.3)',
  'other-case-fields-written': 'other case fields (consent flags, module)',
  'enrolment-rows-added': 'program enrolment rows the legacy job never wrote (legacy bugs 3, 22)',
  'referral-rows-added':
    'a row of its own for an NGO referral the legacy job merged into another (legacy bug 26)',
  'row-status-filled': 'Pending set on an NGO referral row left blank (legacy bugs 9, 24)',
  'rows-updated': 'service row fields brought in line with OSCaR',
  'decision-to-primero':
    "an NGO's decision on a MoSVY referral that never reached Primero (legacy §1.8 matching)",
  'referral-to-oscar': 'a MoSVY referral sent to OSCaR (created at or after REFERRALS_CREATED_SINCE)',
  'link-to-oscar': 'Primero ids sent to OSCaR for a client that lacks them (legacy bugs 5, 6)',
  'decision-to-oscar': "MoSVY's decision sent to OSCaR, which never got it (legacy bugs 5, 21)",
};

export const attentionMeaning: Readonly<Record<AttentionKind, string>> = {
  'referral-before-cutover':
    'MoSVY referrals still in progress, created before REFERRALS_CREATED_SINCE: not sent. OSCaR does not show pending referrals, so ask each NGO whether it has them; send a lost one again from Primero (a new Refer)',
  'dead-letter':
    'records the sync cannot handle: each will be dead-lettered with this code (pnpm dlq list); fix the record, then replay',
};

export function summarizeFirstSync(
  plan: FirstSyncPlan,
  meta: {
    generatedAt: Date;
    referralsCreatedSince: string;
    primed: boolean;
    read: { primeroCases: number; oscarClients: number };
  },
): CutoverReport {
  const requests = { primero: {} as Record<string, number>, oscar: {} as Record<string, number> };
  const changes: Partial<Record<ChangeKind, { count: number; records: string[] }>> = {};
  for (const write of plan.writes) {
    const routes = requests[write.system];
    routes[write.route] = (routes[write.route] ?? 0) + 1;
    for (const kind of new Set(write.changes)) {
      const group = (changes[kind] ??= { count: 0, records: [] });
      group.count += 1;
      group.records.push(recordName(write));
    }
  }
  const attention: Partial<
    Record<AttentionKind, { count: number; records: string[]; by: Record<string, number> }>
  > = {};
  for (const item of plan.attention) {
    const group = (attention[item.kind] ??= { count: 0, records: [], by: {} });
    group.count += 1;
    group.records.push(recordName(item));
    const key = item.kind === 'dead-letter' ? item.code : (item.organization ?? '(no NGO)');
    group.by[key] = (group.by[key] ?? 0) + 1;
  }
  return {
    generatedAt: meta.generatedAt.toISOString(),
    referralsCreatedSince: meta.referralsCreatedSince,
    primed: meta.primed,
    read: meta.read,
    requests,
    changes,
    attention,
  };
}

function recordName(item: { caseId: string | null; globalId: string | null }): string {
  return [item.caseId ?? '(new case)', item.globalId ?? '(no OSCaR client)'].join(' ⇄ ');
}

/** The report as text for a person: totals first, then each group with its ids (first `limit` of them). */
export function renderCutoverReport(report: CutoverReport, limit = 20): string {
  const lines: string[] = [];
  const total = (routes: Readonly<Record<string, number>>) =>
    Object.values(routes).reduce((a, b) => a + b, 0);
  lines.push(
    `Cut-over report — the first sync over ${report.read.primeroCases} Primero cases and ${report.read.oscarClients} OSCaR clients`,
  );
  lines.push(
    `generated ${report.generatedAt}; REFERRALS_CREATED_SINCE ${report.referralsCreatedSince || '(empty: every referral is sent)'}`,
  );
  lines.push(
    report.primed
      ? 'the oscar-writer knows what OSCaR already has (pnpm cutover:prime): links and decisions OSCaR shows are not sent again'
      : 'NOT PRIMED: the oscar-writer would send every link and decision again (harmless, but noise) — run pnpm cutover:prime first',
  );
  lines.push(
    '',
    `Writes: ${total(report.requests.primero)} to Primero, ${total(report.requests.oscar)} to OSCaR`,
  );
  for (const system of ['primero', 'oscar'] as const)
    for (const [route, count] of Object.entries(report.requests[system]).sort())
      lines.push(`  ${String(count).padStart(6)}  ${route}`);
  lines.push('', 'By kind of change (a write can carry several):');
  for (const [kind, group] of Object.entries(report.changes) as [ChangeKind, Group][]) {
    lines.push(`  ${String(group.count).padStart(6)}  ${kind}: ${changeMeaning[kind]}`);
    for (const record of group.records.slice(0, limit)) lines.push(`            ${record}`);
    if (group.records.length > limit)
      lines.push(`            … and ${group.records.length - limit} more (--json lists all)`);
  }
  if (Object.keys(report.changes).length === 0) lines.push('  none: the two systems already agree');
  lines.push('', 'Not written — for a person to look at:');
  for (const [kind, group] of Object.entries(report.attention) as [AttentionKind, Group][]) {
    lines.push(`  ${String(group.count).padStart(6)}  ${kind}: ${attentionMeaning[kind]}`);
    for (const [key, count] of Object.entries(group.by ?? {}).sort())
      lines.push(`            ${key}: ${count}`);
    for (const record of group.records.slice(0, limit)) lines.push(`            ${record}`);
    if (group.records.length > limit)
      lines.push(`            … and ${group.records.length - limit} more (--json lists all)`);
  }
  if (Object.keys(report.attention).length === 0) lines.push('  nothing');
  return `${lines.join('\n')}\n`;
}

export type { Attention };
