import type { Rng, SyntheticPerson } from '@pos/sim-kit';
import { createRng, syntheticPerson, syntheticPhone } from '@pos/sim-kit';

/**
 * The plan of a world that the legacy OpenFn job has kept for years: one story per child, drawn from
 * `(seed, index)` alone, so a plan is deterministic and planning 100 children then 100 more gives the same
 * stories as planning 200. A story says what happened to the child in both systems and when; which of the
 * legacy job's known faults left something behind (`leftovers`). `history.ts` turns it into API calls.
 */

/** What happened to one child. */
export type StoryKind =
  /** MoSVY referred the child to an NGO in Primero; the legacy job sent it; the NGO accepted. */
  | 'mosvy-referral-accepted'
  /** … the NGO took the child in and exited it (OSCaR's "reject"). */
  | 'mosvy-referral-rejected'
  /** … the NGO has not decided yet (pending in both systems). */
  | 'mosvy-referral-pending'
  /** … the legacy job never sent it (f1-j2 failed that hour, and its cursor moved on). */
  | 'mosvy-referral-lost'
  /** An NGO referred the child to MoSVY in OSCaR; the legacy job imported it and linked both records. */
  | 'ngo-referral'
  /** … from Stung Treng (province 19), which the legacy province map lacked: never imported. */
  | 'ngo-referral-stung-treng'
  /** An NGO client shared for duplicate prevention (never referred); imported and linked. */
  | 'ngo-client'
  /** An NGO client OSCaR does not list (no date of birth): never imported, and rightly so. */
  | 'ngo-client-unlisted'
  /** A MoSVY case that never involved an NGO. */
  | 'mosvy-only';

/**
 * What the legacy job left wrong (or unfinished) in a story, named after the fault. `fixed` says whether
 * the first sync of this project repairs it; the cut-over report lists the writes it makes for it.
 */
export type LeftoverKind =
  /** An NGO enrolled a linked child in a program; the rows never reached Primero (legacy bugs 3, 22). */
  | 'enrolment-rows-missing'
  /** The NGO decided a MoSVY referral whose row had no Referral Status; legacy matching needed Pending. */
  | 'decision-missing-in-primero'
  /** An NGO referral row left without Referral Status: the Pending pass read one page only (bugs 9, 24). */
  | 'pending-status-missing'
  /** A referred child's OSCaR level of risk, overwritten with no_action (bug 12). */
  | 'risk-level-lost'
  /** A repeat NGO referral for the same service overwrote the first one's row (bug 26). */
  | 'collapsed-referral-row'
  /** MoSVY's decision on an NGO referral never reached OSCaR: its update_statuses batch failed (bugs 5, 21). */
  | 'decision-missing-in-oscar'
  /** OSCaR never got the Primero ids of an imported client: f1-j2 failed before update_links (bugs 5, 6). */
  | 'link-missing-in-oscar'
  /** A referred Stung Treng child never imported (bug 4). */
  | 'case-missing-stung-treng'
  /** The NGO changed a linked client (status, MoSVY number); never carried to Primero (bug 3). */
  | 'client-change-not-carried'
  /** A MoSVY referral the legacy job lost (bug 6). Not sent by the sync: it predates REFERRALS_CREATED_SINCE. */
  | 'referral-lost-before-cutover'
  /** The Pending pass also stamped an enrolment row (bug 24). Left as is: a status is never overwritten. */
  | 'pending-on-enrolment-row'
  /** MoSVY's risk level overwritten with no_action when the NGO's decision came back (bug 12). Left as is: OSCaR does not return it. */
  | 'risk-level-overwritten';

/** Whether the first sync repairs a leftover (else the cut-over report asks a person to look). */
export const leftoverFixedBySync: Readonly<Record<LeftoverKind, boolean>> = {
  'enrolment-rows-missing': true,
  'decision-missing-in-primero': true,
  'pending-status-missing': true,
  'risk-level-lost': true,
  'collapsed-referral-row': true,
  'decision-missing-in-oscar': true,
  'link-missing-in-oscar': true,
  'case-missing-stung-treng': true,
  'client-change-not-carried': true,
  'referral-lost-before-cutover': false,
  'pending-on-enrolment-row': false,
  'risk-level-overwritten': false,
};

/** One child's story: every choice the history needs, drawn in advance. */
export interface Story {
  readonly index: number;
  readonly kind: StoryKind;
  /** Seed of the ids the simulators make up for this story's calls (call `n` uses `seed + n`). */
  readonly seed: number;
  readonly leftovers: readonly LeftoverKind[];
  /** The NGO (OSCaR organisation short name). */
  readonly organization: string;
  readonly person: SyntheticPerson;
  /** Index into the Primero villages (MoSVY cases) or an OSCaR village code `PPDDCCVV` (NGO clients). */
  readonly villagePick: number;
  readonly oscarVillage: string;
  /** Primero `risk_level` of a MoSVY case; OSCaR `level_of_risk` of an NGO referral. */
  readonly primeroRisk: 'low' | 'medium' | 'high';
  readonly oscarRisk: 'high' | 'medium' | 'low' | 'no action';
  /** MoSVY case: Primero subtype of the referred service (one with an OSCaR name); NGO: catalogue names. */
  readonly pick: number;
  readonly mosvyNumber: string | null;
  readonly caseWorker: { readonly name: string; readonly mobile: string };
  /** MoSVY's decision on an NGO referral, or the NGO's on a MoSVY referral; null = undecided. */
  readonly decision: 'accepted' | 'rejected' | null;
  /** The NGO enrolled the child in a program (before the import, or after linking: see leftovers). */
  readonly enrolment: { readonly program: number; readonly when: 'before-import' | 'after-link' } | null;
  /** The Pending pass (legacy f2-j3) reached this case. */
  readonly pendingPass: boolean;
  /** After linking, the NGO exits the client (`exit`) or records a MoSVY number (`mosvy-number`). */
  readonly laterChange: 'exit' | 'mosvy-number' | null;
  /** Instants (epoch ms), all before the plan's `now`: see `Timeline`. */
  readonly times: Timeline;
}

/**
 * t0 the first act (MoSVY registers and refers, or the NGO registers); t1 the legacy job's next hourly run;
 * t2 the decision; t3 the run after it; t4 a later change; t5 the run after that.
 */
export interface Timeline {
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  readonly t4: number;
  readonly t5: number;
}

export interface PlanOptions {
  /** How many children (stories); about 85% become linked pairs. */
  readonly children: number;
  readonly seed: number;
  /** The cut-over instant: every story happened before it (ISO). */
  readonly now: string;
  /** NGO short names to spread the stories over (the OSCaR tenants of config/mappings/agencies.csv). */
  readonly organizations: readonly string[];
}

export interface JointWorldPlan {
  readonly seed: number;
  readonly now: string;
  readonly stories: readonly Story[];
}

/** The mix of story kinds, as shares of all children (they add up to 1). */
export const storyMix: readonly (readonly [StoryKind, number])[] = [
  ['mosvy-referral-accepted', 0.26],
  ['mosvy-referral-rejected', 0.08],
  ['mosvy-referral-pending', 0.05],
  ['mosvy-referral-lost', 0.02],
  ['ngo-referral', 0.3],
  ['ngo-referral-stung-treng', 0.02],
  ['ngo-client', 0.17],
  ['ngo-client-unlisted', 0.02],
  ['mosvy-only', 0.08],
];

/** Program names an NGO enrols clients in, as `history.ts` knows their catalogue services. */
export const programCount = 4;

const hour = 3_600_000;
const day = 86_400_000;

/** Builds the plan: deterministic for `(children, seed, now, organizations)`. */
export function planJointWorld(options: PlanOptions): JointWorldPlan {
  const now = Date.parse(options.now);
  if (Number.isNaN(now)) throw new Error(`now must be an ISO time, got ${options.now}`);
  if (!Number.isInteger(options.children) || options.children < 0)
    throw new Error('children must be a whole number');
  if (options.organizations.length === 0) throw new Error('organizations must name at least one NGO');
  const stories = Array.from({ length: options.children }, (_, index) =>
    planStory(index, mix(options.seed, index), now, options.organizations),
  );
  return { seed: options.seed, now: new Date(now).toISOString(), stories };
}

function planStory(index: number, seed: number, now: number, organizations: readonly string[]): Story {
  const rng = createRng(seed);
  const kind = pickKind(rng.next());
  const recent = kind === 'mosvy-referral-pending' || kind === 'mosvy-referral-lost';
  const times = timeline(rng, now, recent);
  const person = syntheticPerson(rng, new Date(times.t0));
  const organization = rng.pick(organizations);
  const caseWorker = {
    name: `${syntheticPerson(rng, new Date(0)).givenName} ${person.familyName}`,
    mobile: syntheticPhone(rng),
  };
  const base = {
    index,
    kind,
    seed: seed & 0x3fffffff,
    organization,
    person,
    villagePick: rng.int(0, 1_000_000),
    oscarVillage: villageCode(rng, kind === 'ngo-referral-stung-treng'),
    primeroRisk: rng.pick(['low', 'medium', 'high'] as const),
    oscarRisk: rng.pick(['high', 'medium', 'low', 'no action'] as const),
    pick: rng.int(0, 1_000_000),
    mosvyNumber: rng.chance(0.3) ? String(rng.int(1000, 9_999_999)) : null,
    caseWorker,
    times,
  };
  const leftovers: LeftoverKind[] = [];
  let decision: Story['decision'] = null;
  let enrolment: Story['enrolment'] = null;
  let pendingPass = false;
  let laterChange: Story['laterChange'] = null;

  switch (kind) {
    case 'mosvy-referral-accepted':
    case 'mosvy-referral-rejected': {
      decision = kind === 'mosvy-referral-accepted' ? 'accepted' : 'rejected';
      // A row created before the form's Pending default (2022-09): legacy matching could not find it.
      if (rng.chance(0.08)) leftovers.push('decision-missing-in-primero');
      else {
        leftovers.push('risk-level-overwritten');
        if (decision === 'accepted' && rng.chance(0.25)) {
          enrolment = { program: rng.int(0, programCount - 1), when: 'after-link' };
          leftovers.push('enrolment-rows-missing');
        }
      }
      break;
    }
    case 'mosvy-referral-lost':
      leftovers.push('referral-lost-before-cutover');
      break;
    case 'ngo-referral': {
      if (base.oscarRisk !== 'no action') leftovers.push('risk-level-lost');
      pendingPass = rng.chance(0.8);
      if (rng.chance(0.2)) {
        enrolment = { program: rng.int(0, programCount - 1), when: 'before-import' };
        if (pendingPass) leftovers.push('pending-on-enrolment-row');
      }
      if (rng.chance(0.6)) {
        decision = rng.chance(0.7) ? 'accepted' : 'rejected';
        if (rng.chance(0.06)) leftovers.push('decision-missing-in-oscar');
      } else {
        if (!pendingPass) leftovers.push('pending-status-missing');
        if (rng.chance(0.1)) leftovers.push('collapsed-referral-row');
      }
      // Unlinked, the repeat referral's upsert would carry `case_id: null` (docs/legacy-integration.md §2.4):
      // kept apart.
      if (!leftovers.includes('collapsed-referral-row') && rng.chance(0.04))
        leftovers.push('link-missing-in-oscar');
      break;
    }
    case 'ngo-referral-stung-treng':
      leftovers.push('case-missing-stung-treng');
      break;
    case 'ngo-client': {
      if (rng.chance(0.05)) {
        // Unlinked, the client stayed on the legacy job's ordinary path, which kept the case up to date.
        leftovers.push('link-missing-in-oscar');
        break;
      }
      if (rng.chance(0.5)) {
        enrolment = { program: rng.int(0, programCount - 1), when: 'before-import' };
        leftovers.push('enrolment-rows-missing');
      }
      if (rng.chance(0.25)) {
        laterChange = rng.chance(0.5) ? 'exit' : 'mosvy-number';
        leftovers.push('client-change-not-carried');
      }
      break;
    }
    default:
      break;
  }
  return { ...base, leftovers, decision, enrolment, pendingPass, laterChange };
}

function pickKind(roll: number): StoryKind {
  let total = 0;
  for (const [kind, share] of storyMix) {
    total += share;
    if (roll < total) return kind;
  }
  return 'mosvy-only';
}

function timeline(rng: Rng, now: number, recent: boolean): Timeline {
  const nextRun = (t: number) => Math.ceil(t / hour) * hour + rng.int(5_000, 90_000);
  const t0 =
    now - (recent ? rng.int(3, 40) : rng.int(60, 700)) * day + rng.int(8, 16) * hour - rng.int(0, day);
  const t1 = nextRun(t0 + rng.int(2, 40) * 60_000);
  // A recent story (still pending) has nothing after t1; its later instants stay before the cut-over too.
  const [days, hours] = recent ? [hour, 60_000] : [day, hour];
  const t2 = t1 + rng.int(1, 14) * days + rng.int(0, 8) * hours;
  const t3 = nextRun(t2);
  const t4 = t3 + rng.int(1, 20) * days + rng.int(0, 8) * hours;
  const t5 = nextRun(t4);
  return { t0, t1, t2, t3, t4, t5 };
}

/** A zero-padded OSCaR village code; province 19 (Stung Treng) only when asked for, never otherwise. */
function villageCode(rng: Rng, stungTreng: boolean): string {
  const part = (min: number, max: number) => String(rng.int(min, max)).padStart(2, '0');
  let province = stungTreng ? '19' : part(1, 24);
  if (!stungTreng && province === '19') province = '25';
  return `${province}${part(1, 12)}${part(1, 12)}${part(1, 20)}`;
}

/** A 32-bit seed for story `n` of seed `seed` (murmur-style mixing, as the Primero seed does). */
function mix(seed: number, n: number): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = (h + Math.imul(n + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** The leftovers a plan planted, by kind (what the cut-over report should find). */
export function plantedLeftovers(plan: JointWorldPlan): Record<LeftoverKind, number> {
  const counts = Object.fromEntries(
    (Object.keys(leftoverFixedBySync) as LeftoverKind[]).map((kind) => [kind, 0]),
  ) as Record<LeftoverKind, number>;
  for (const story of plan.stories) for (const kind of story.leftovers) counts[kind] += 1;
  return counts;
}

/** Stories by kind. */
export function storyCounts(plan: JointWorldPlan): Record<StoryKind, number> {
  const counts = Object.fromEntries(storyMix.map(([kind]) => [kind, 0])) as Record<StoryKind, number>;
  for (const story of plan.stories) counts[story.kind] += 1;
  return counts;
}
