import type { Rng } from '@pos/sim-kit';
import { createRng, syntheticPerson } from '@pos/sim-kit';

import type { SaveContext } from './core/case-lifecycle.ts';
import { createCase } from './core/case-lifecycle.ts';
import type { JsonObject } from './core/json.ts';
import { oscarOrganizations, provinces, serviceTypes } from './data/cambodia.ts';
import type { SimContext } from './sim-context.ts';
import type { User } from './state/directory.ts';
import { primeroLocationCode } from './state/directory.ts';
import type { Referral } from './state/referral-store.ts';

/**
 * Synthetic cases as MoSVY social workers would have entered them. Case number `n` (counting the cases
 * already stored) is drawn from its own generator seeded with `(seed, n)`, so seeding is deterministic
 * and seeding 10 then 10 gives the same records as seeding 20 at once; timestamps are relative to the
 * simulator clock. Mix: ~35% referred to an OSCaR NGO (`referral_to_oscar` service with the form's
 * default Referral Status `pending_310366` + an `in_progress` referral, consent given), ~20% referred from
 * OSCaR (`oscar_number`, `referral_from_oscar`, pending), the rest with ordinary services or none; ~5%
 * closed, ~2% disabled.
 */

export interface SeedSummary {
  readonly cases: number;
  readonly referrals: number;
  readonly firstCaseId: string | null;
  readonly lastCaseId: string | null;
}

const dayMs = 86_400_000;

/** `at`: the instant seeded timestamps are relative to (default the server clock), for repeatable runs. */
export function seedCases(ctx: SimContext, count: number, seed: number, at?: number): SeedSummary {
  const now = at ?? ctx.now();
  const start = ctx.cases.size;
  const entries: { id: string; uniqueIdentifier: string; data: JsonObject }[] = [];
  const referrals: Referral[] = [];
  for (let n = start; n < start + count; n += 1) {
    const built = buildCase(ctx, createRng(mix(seed, n)), now);
    entries.push(built.entry);
    referrals.push(...built.referrals);
  }
  ctx.cases.insertMany(entries);
  for (const referral of referrals) ctx.referrals.add(referral);
  return {
    cases: entries.length,
    referrals: referrals.length,
    firstCaseId: entries[0]?.id ?? null,
    lastCaseId: entries[entries.length - 1]?.id ?? null,
  };
}

function buildCase(
  ctx: SimContext,
  rng: Rng,
  now: number,
): { entry: { id: string; uniqueIdentifier: string; data: JsonObject }; referrals: Referral[] } {
  const id = uuid(rng);
  const uniqueIdentifier = uuid(rng);
  const createdAt = now - rng.int(1, 180 * dayMs);
  const person = syntheticPerson(rng, new Date(createdAt));
  const village = rng.pick(ctx.directory.seedVillages);
  const owner = provinceManager(ctx, village);
  const scenario = rng.next();
  const referred = scenario < 0.35;
  const fromOscar = !referred && scenario < 0.55;

  const input: JsonObject = {
    module_id: 'primeromodule-cp',
    name_first: person.givenName,
    name_last: person.familyName,
    sex: person.sex,
    date_of_birth: person.dateOfBirth,
    age: ageOn(person.dateOfBirth, createdAt),
    location_current: village,
    risk_level: rng.pick(['low', 'medium', 'high', 'no_action']),
    interview_subject: rng.pick(['child', 'caregiver', 'other']),
    owned_by: owner.userName,
    consent_for_services: referred || fromOscar || rng.chance(0.6),
    disclosure_other_orgs: referred || fromOscar || rng.chance(0.5),
  };
  if (rng.chance(0.4)) input.mosvy_number = String(rng.int(1000, 9_999_999));

  const services: JsonObject[] = [];
  const referrals: Referral[] = [];
  const serviceTime = createdAt + rng.int(0, Math.max(1, Math.floor((now - createdAt) / 2)));
  if (referred) {
    const org = rng.pick(oscarOrganizations);
    const type = rng.pick(serviceTypes);
    const row: JsonObject = {
      unique_id: uuid(rng),
      service_response_type: 'referral_to_oscar',
      service_type: type.id,
      service_subtype: [rng.pick(type.subtypes).id],
      service_response_day_time: new Date(serviceTime).toISOString(),
      service_implementing_agency: `agency-${org}`,
      service_implementing_agency_individual: `agency-${org}-user`,
      service_status_referred: true,
      // MoSVY's Cambodia form gives a new service row's Referral Status the default "Pending".
      referral_status_edf41f2: 'pending_310366',
    };
    services.push(row);
    input.assigned_user_names = [`agency-${org}-user`];
    referrals.push({
      id: uuid(rng),
      type: 'Referral',
      status: 'in_progress',
      record_id: id,
      record_type: 'Child',
      transitioned_to: `agency-${org}-user`,
      transitioned_to_remote: null,
      transitioned_to_agency: `agency-${org}`,
      rejected_reason: null,
      notes: 'Please provide support to this child',
      transitioned_by: owner.userName,
      service: type.id,
      service_record_id: typeof row.unique_id === 'string' ? row.unique_id : null,
      remote: false,
      type_of_export: null,
      consent_overridden: false,
      consent_individual_transfer: false,
      created_at: new Date(serviceTime + rng.int(1_000, 600_000)).toISOString(),
      responded_at: null,
      rejection_note: null,
    });
  } else if (fromOscar) {
    const org = rng.pick(oscarOrganizations);
    const type = rng.pick(serviceTypes);
    input.oscar_number = ulid(rng, createdAt);
    input.oscar_short_id = `${org}-${rng.int(100, 9999)}`;
    input.oscar_status = 'Referred';
    input.protection_status = 'oscar_referral';
    services.push({
      unique_id: uuid(rng),
      service_response_type: 'referral_from_oscar',
      service_type: type.id,
      service_subtype: [rng.pick(type.subtypes).id],
      service_type_text: type.id,
      service_type_details_text: 'n/a',
      referral_notes_from_oscar_2e787b8: 'Referred by the NGO case worker',
      oscar_case_worker_name: `${person.familyName} Case Worker`,
      oscar_case_worker_telephone: '000000000',
      oscar_referring_organization: `agency-${org}`,
      service_implementing_agency: `agency-${org}`,
      oscar_referral_id_a4ac8a5: String(rng.int(1, 99_999)),
      referral_status_edf41f2: 'pending_310366',
    });
  } else {
    for (let i = rng.int(0, 2); i > 0; i -= 1) {
      const type = rng.pick(serviceTypes);
      services.push({
        unique_id: uuid(rng),
        service_response_type: rng.pick(['care_plan', 'action_plan', 'service_provision']),
        service_type: type.id,
        service_subtype: [rng.pick(type.subtypes).id],
        service_response_day_time: new Date(serviceTime - i * 3_600_000).toISOString(),
      });
    }
  }
  if (services.length > 0) input.services_section = services;
  if (rng.chance(0.05)) input.status = 'closed';
  if (rng.chance(0.02)) input.record_state = false;

  const outcome = createCase(input, uniqueIdentifier, seedContext(ctx, owner, createdAt, rng));
  if (!outcome.ok) throw new Error(`seed built an invalid case: ${JSON.stringify(outcome.errors)}`);
  // Seeding writes the records now: their history (created_at, referrals) lies in the past, but the save
  // that put them here is this one, so a running poller sees them as changes, as it would a real import.
  outcome.data.last_updated_at = new Date(now).toISOString();
  return { entry: { id, uniqueIdentifier, data: outcome.data }, referrals };
}

function seedContext(ctx: SimContext, owner: User, at: number, rng: Rng): SaveContext {
  return {
    now: at,
    actor: ctx.directory.ownerOf(owner),
    findUser: (userName) => {
      const user = ctx.directory.findExact(userName);
      return user === undefined ? undefined : ctx.directory.ownerOf(user);
    },
    newId: () => uuid(rng),
  };
}

function provinceManager(ctx: SimContext, village: string): User {
  const provinceCode = ctx.directory.findLocation(village)?.hierarchy[1];
  const province = provinces.find((p) => primeroLocationCode(p.code) === provinceCode) ?? provinces[11];
  const user = province === undefined ? undefined : ctx.directory.findExact(province.user);
  return user ?? ctx.directory.syncUser;
}

function ageOn(dateOfBirth: string, at: number): number {
  const today = new Date(at);
  const [y, m, d] = dateOfBirth.split('-').map(Number);
  let age = today.getUTCFullYear() - (y ?? today.getUTCFullYear());
  if (today.getUTCMonth() + 1 < (m ?? 1) || (today.getUTCMonth() + 1 === m && today.getUTCDate() < (d ?? 1)))
    age -= 1;
  return Math.max(age, 0);
}

/** A lowercase version-4 UUID from the generator. */
export function uuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(0, 15).toString(16));
  hex[12] = '4';
  hex[16] = ((rng.int(0, 15) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** An OSCaR `global_id`-like ULID (time part from `at`). */
function ulid(rng: Rng, at: number): string {
  let time = '';
  let t = at;
  for (let i = 0; i < 10; i += 1) {
    time = (crockford[t % 32] ?? '0') + time;
    t = Math.floor(t / 32);
  }
  const random = Array.from({ length: 16 }, () => crockford[rng.int(0, 31)] ?? '0').join('');
  return time + random;
}

/** A 32-bit generator seed for case number `n` of seed `seed`. */
function mix(seed: number, n: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = (h + Math.imul(n + 1, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
