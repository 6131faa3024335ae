import type { Rng } from '@pos/sim-kit';
import { createRng, syntheticPerson, syntheticPhone, syntheticVillageCode } from '@pos/sim-kit';

import type { CaseWorker, CatalogueService, Client } from './core/model.ts';
import { levelsOfRisk } from './core/model.ts';
import { encodeUlid } from './core/ulid.ts';
import { createNgoClient, enrollClient, referClientToSystem } from './state/ngo-actions.ts';
import type { Store, Tenant } from './state/store.ts';
import { insertReferral } from './state/store.ts';

const day = 86_400_000;

/** Program streams NGOs enrol clients in, with the catalogue services each provides. */
const programs: readonly [string, readonly string[]][] = [
  ['Family Support', ['Family support', 'Family preservation']],
  ['Foster Care', ['Long term foster care', 'Emergency foster care']],
  ['Kinship Care', ['Kinship care']],
  ['Counselling', ['Generalist counselling', 'Trauma counselling']],
  ['Education Support', ['School support', 'Scholarships or financial support', 'Life skills']],
  ['Disability Support', ['Therapeutic interventions', 'Disability-aid provision']],
];

export interface SeedSummary {
  clients: number;
  referredToSystem: number;
  fromSystem: number;
  enrolled: number;
  linked: number;
  unlisted: number;
}

/**
 * `count` synthetic clients spread over the integrated NGOs (demo excluded), deterministic for `seed` (and the
 * clock): plausible Khmer/Latin names, zero-padded location codes of every level, case workers, and a mix of
 * kinds: referred to MoSVY (group A, with catalogue services and a level of risk), accepted referrals from MoSVY
 * (linked, `resource: "primero"`), enrolled in programs, plain shared clients, and a few the eligibility filter hides.
 * Timestamps fall in the two years before `now()`, so a recent `since_date` selects a small slice.
 */
/**
 * `linked: false` leaves out clients linked to Primero cases (the seed invents their case ids, which a
 * separately seeded Primero does not have): what `pnpm start` uses so the demo's two sides agree.
 */
export function seedClients(
  store: Store,
  count: number,
  seed: number,
  options: { linked?: boolean; now?: Date } = {},
): SeedSummary {
  const linked = options.linked ?? true;
  const rng = createRng(seed);
  const now = options.now ?? store.now();
  const tenants = store.organizations
    .filter((organization) => organization.integrated && organization.shortName !== 'demo')
    .map((organization) => store.tenants.get(organization.shortName))
    .filter((tenant): tenant is Tenant => tenant !== undefined);
  const summary: SeedSummary = {
    clients: 0,
    referredToSystem: 0,
    fromSystem: 0,
    enrolled: 0,
    linked: 0,
    unlisted: 0,
  };
  if (tenants.length === 0) return summary;

  for (let index = 0; index < count; index += 1) {
    const tenant = rng.pick(tenants);
    const person = syntheticPerson(rng, now);
    const createdAt = new Date(now.getTime() - rng.int(1, 730) * day - rng.int(0, day - 1));
    const updatedAt = new Date(
      createdAt.getTime() + Math.floor(rng.next() * (now.getTime() - createdAt.getTime())),
    );
    const roll = rng.next();
    const unlisted = roll < 0.03;
    const client = createNgoClient(store, tenant, {
      globalId: seededUlid(store, rng, createdAt),
      slugLetters: letters(rng),
      givenName: person.givenName,
      familyName: person.familyName,
      localGivenName: rng.chance(0.8) ? person.localGivenName : '',
      localFamilyName: rng.chance(0.8) ? person.localFamilyName : '',
      gender: unlisted && rng.chance(0.5) ? '' : person.sex,
      dateOfBirth: unlisted ? null : person.dateOfBirth,
      locationCode: locationCode(rng),
      status: 'Accepted',
      caseWorkers: caseWorkers(rng),
      mosvyNumber: rng.chance(0.2) ? `MSV-${String(rng.int(1, 99999)).padStart(5, '0')}` : null,
      reasonForReferral: rng.chance(0.5) ? 'Family needs support to care for the child' : null,
      createdAt,
      updatedAt,
    });
    summary.clients += 1;
    if (unlisted) summary.unlisted += 1;

    if (roll >= 0.03 && roll < 0.2) {
      referredToSystem(store, tenant, client, rng, updatedAt, linked);
      summary.referredToSystem += 1;
    } else if (roll < 0.28 && linked) {
      fromSystem(store, tenant, client, rng, createdAt);
      summary.fromSystem += 1;
      summary.linked += 1;
    } else if (roll < 0.5) {
      enrolled(store, client, rng, createdAt, updatedAt);
      summary.enrolled += 1;
      if (rng.chance(0.5) && linked) {
        linkToPrimero(client, rng);
        summary.linked += 1;
      }
    } else if (roll < 0.65 && linked) {
      linkToPrimero(client, rng);
      summary.linked += 1;
    }
    // Seeding writes the clients now: their history lies in the past, but a running poller must see them
    // as changed today, as it would a real import.
    client.updatedAt = now;
  }
  return summary;
}

function referredToSystem(
  store: Store,
  tenant: Tenant,
  client: Client,
  rng: Rng,
  at: Date,
  linked: boolean,
): void {
  const referral = referClientToSystem(store, tenant, client, {
    services: pickServices(store, rng),
    reason: rng.pick([
      'Child at risk of family separation',
      'Needs family-based care assessment',
      'Violence at home',
    ]),
    levelOfRisk: rng.pick(levelsOfRisk),
    createdAt: at,
  });
  if (rng.chance(0.3) && linked) {
    linkToPrimero(client, rng);
    referral.referralStatus = rng.pick(['Accepted', 'Exited', 'Referred']);
  }
}

/** A referral MoSVY sent earlier that the NGO accepted: the client carries the Primero case ids. */
function fromSystem(store: Store, tenant: Tenant, client: Client, rng: Rng, at: Date): void {
  linkToPrimero(client, rng);
  client.externalCaseWorkerName = rng.pick(['mgrpnh', 'mgrbtb', 'mgrsrp', 'mgrkdl']);
  client.externalCaseWorkerId = String(rng.int(10, 400));
  insertReferral(store, tenant, {
    clientId: client.id,
    slug: client.slug,
    clientGlobalId: client.globalId,
    externalId: client.externalId,
    externalIdDisplay: client.externalIdDisplay,
    mosvyNumber: client.mosvyNumber,
    referredTo: tenant.organization.shortName,
    referredFrom: store.externalSystem.name,
    ngoName: store.externalSystem.name,
    referralReason: 'Referred by MoSVY social worker',
    nameOfReferee: client.externalCaseWorkerName,
    referralPhone: '000000000',
    refereeEmail: null,
    refereeId: client.refereeId,
    clientName: `${client.givenName ?? ''} ${client.familyName ?? ''}`.trim(),
    clientGender: client.gender,
    clientDateOfBirth: client.dateOfBirth,
    villageCode: client.address?.code ?? null,
    externalCaseWorkerName: client.externalCaseWorkerName,
    externalCaseWorkerId: client.externalCaseWorkerId,
    levelOfRisk: rng.pick(levelsOfRisk),
    referralStatus: rng.pick(['Accepted', 'Accepted', 'Exited']),
    services: pickServices(store, rng),
    consentForm: [],
    saved: true,
    dateOfReferral: at.toISOString().slice(0, 10),
    intake: { givenName: client.givenName, familyName: client.familyName },
    createdAt: at,
  });
  client.status = 'Accepted';
}

function enrolled(store: Store, client: Client, rng: Rng, createdAt: Date, updatedAt: Date): void {
  const [programName, names] = rng.pick(programs);
  const enrollmentDate = new Date(
    createdAt.getTime() + Math.floor(rng.next() * (updatedAt.getTime() - createdAt.getTime())),
  );
  enrollClient(store, client, {
    programName,
    services: store.catalogue.filter((service) => names.includes(service.name)),
    enrollmentDate: enrollmentDate.toISOString().slice(0, 10),
  });
  const last = client.enrollments.at(-1);
  if (last) last.createdAt = enrollmentDate;
}

function linkToPrimero(client: Client, rng: Rng): void {
  const hex = (length: number) => Array.from({ length }, () => rng.int(0, 15).toString(16)).join('');
  const caseId = `${hex(8)}-${hex(4)}-4${hex(3)}-${rng.pick(['8', '9', 'a', 'b'])}${hex(3)}-${hex(12)}`;
  client.externalId = caseId;
  client.externalIdDisplay = caseId.slice(-7);
}

function pickServices(store: Store, rng: Rng): CatalogueService[] {
  const first = rng.pick(store.catalogue);
  const names = new Set([first.name]);
  if (rng.chance(0.3)) names.add(rng.pick(store.catalogue).name);
  return store.catalogue.filter((service) => names.has(service.name));
}

function caseWorkers(rng: Rng): CaseWorker[] {
  const count = rng.chance(0.05) ? 0 : rng.chance(0.8) ? 1 : 2;
  return Array.from({ length: count }, () => {
    const person = syntheticPerson(rng, new Date(Date.UTC(2000, 0, 1)));
    return { name: `${person.givenName} ${person.familyName}`, mobile: syntheticPhone(rng) };
  });
}

/** Mostly villages; some clients only have a commune, district or province, a few none. */
function locationCode(rng: Rng): string | null {
  const village = syntheticVillageCode(rng);
  const roll = rng.next();
  if (roll < 0.7) return village;
  if (roll < 0.8) return village.slice(0, 6);
  if (roll < 0.88) return village.slice(0, 4);
  if (roll < 0.95) return village.slice(0, 2);
  return null;
}

function letters(rng: Rng): string {
  return Array.from({ length: 4 }, () => String.fromCharCode(97 + rng.int(0, 25))).join('');
}

function seededUlid(store: Store, rng: Rng, at: Date): string {
  for (;;) {
    const ulid = encodeUlid(
      at.getTime(),
      Uint8Array.from({ length: 10 }, () => rng.int(0, 255)),
    );
    if (!store.identities.has(ulid)) return ulid;
  }
}
