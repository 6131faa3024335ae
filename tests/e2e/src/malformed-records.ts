/**
 * Generated malformed source records, for the "nothing is lost" scenario (tests/e2e/test/malformed.e2e.spec.ts).
 * Each kind says how it breaks a valid record and what must become of it: dead-lettered by a named service with
 * a reason naming the record's id and the field, or — for what the mapping deliberately repairs (an 11-digit
 * OSCaR year, an unknown service kind) — synced as repaired. Everything is drawn from one seeded generator, so a
 * run can be repeated exactly.
 */

/** A small deterministic generator (mulberry32). */
export interface Rng {
  next: () => number;
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  chance: (p: number) => boolean;
  /** 8 lowercase letters and digits. */
  tag: () => string;
  /** A version-4-shaped UUID (lowercase, as Primero makes them). */
  uuid: () => string;
}

export function seededRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return {
    next,
    int,
    pick,
    chance: (p) => next() < p,
    tag: () => Array.from({ length: 8 }, () => alphabet[int(0, alphabet.length - 1)] ?? 'x').join(''),
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => int(0, 15).toString(16));
      hex[12] = '4';
      hex[16] = (8 + int(0, 3)).toString(16);
      const h = hex.join('');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}

/** Where a malformed record must end, and what its dead letter's reason must name. */
export type ServiceName = 'primero-poller' | 'oscar-poller' | 'primero-writer' | 'oscar-writer';

export interface DeadLettered {
  kind: 'dead-lettered';
  service: ServiceName;
  /** A text the reason must contain that names the field (an upstream field path). */
  field: string;
}

/** What the mapping repairs by design: the record syncs, with the repair the check asserts. */
export interface Repaired {
  kind: 'repaired';
}

export type Expectation = DeadLettered | Repaired;

/** About 1 MB of text with a marker that no reason may contain. */
export function hugeText(marker: string): string {
  return `HUGE-${marker}-${'ក-x'.repeat(350_000)}`;
}

export const latinGiven = [
  'Sokha',
  'Dara',
  'Bopha',
  'Vanna',
  'Rathana',
  'Kosal',
  'Sophea',
  'Chenda',
  'Pisey',
];
export const latinFamily = ['Sokunthea', 'Heng', 'Meas', 'Nuon', 'Prak', 'Sambath', 'Ouk', 'Yem', 'Keo'];
export const khmerGiven = ['សុខា', 'ដារ៉ា', 'បុប្ផា', 'វណ្ណា', 'រតនា', 'កុសល', 'សុភា', 'ចិន្តា'];
export const khmerFamily = ['ហេង', 'មាស', 'នួន', 'ប្រាក់', 'សម្បត្តិ', 'អ៊ុក', 'កែវ'];

/** A person the way the generator names them: Latin, Khmer, or both scripts in one name. */
export interface GeneratedPerson {
  given: string;
  family: string;
  /** OSCaR's local (Khmer) names; empty when the record has none. */
  localGiven: string;
  localFamily: string;
  dateOfBirth: string;
}

export function generatedPerson(rng: Rng): GeneratedPerson {
  const year = rng.int(2008, 2022);
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  const script = rng.pick(['latin', 'khmer', 'mixed', 'latin-with-local'] as const);
  const lg = rng.pick(latinGiven);
  const lf = rng.pick(latinFamily);
  const kg = rng.pick(khmerGiven);
  const kf = rng.pick(khmerFamily);
  const person = { dateOfBirth: `${year}-${month}-${day}`, localGiven: '', localFamily: '' };
  switch (script) {
    case 'latin':
      return { ...person, given: lg, family: lf };
    case 'khmer':
      return { ...person, given: kg, family: kf };
    case 'mixed':
      return { ...person, given: `${lg} ${kg}`, family: `${kf}-${lf}` };
    case 'latin-with-local':
      return { ...person, given: lg, family: lf, localGiven: kg, localFamily: kf };
  }
}

/** Primero subtypes the outbound table maps, with the OSCaR service name they become. */
export const mappedSubtypes: readonly (readonly [type: string, subtype: string, oscarName: string])[] = [
  ['counselling', 'counselling_trauma', 'Trauma counselling'],
  ['counselling', 'counselling_family', 'Family counselling / mediation'],
  ['counselling', 'counselling_generalist', 'Generalist counselling'],
  ['family_support', 'family_support_family_support', 'Family support'],
  ['legal_support', 'legal_support_representation', 'Legal representation'],
  ['training_education', 'training_education_school_support', 'School support'],
];

/** NGOs the good records go to: in agencies.csv, tenants of the OSCaR simulator, agencies of Primero's. */
export const ngos = ['cif', 'mho', 'gpc', 'tpo', 'holt'] as const;

/** Village codes (OSCaR form) in provinces provinces.csv lists. */
export const knownVillages = ['12010203', '01070101', '19020304', '08080906', '17010101', '02020202'];

/** A Primero malformation: a name, what it does to the case data or its referral, and the outcome. */
export interface PrimeroMalformation {
  name: string;
  count: number;
  expect: Expectation;
  /**
   * Changes the stored case (`data`) and its referral; returns the values that must never appear in a reason
   * (names, dates, long text). `ids` are the case's own.
   */
  apply: (
    data: Record<string, unknown>,
    referral: Record<string, unknown>,
    ids: { caseId: string; rng: Rng; index: number },
  ) => string[];
  /** The id the reason must name: the case_id, or the record id when the case_id itself is broken. */
  namedBy?: 'case_id' | 'id';
}

const row = (data: Record<string, unknown>): Record<string, unknown> => {
  const rows = data.services_section;
  const first = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
  if (!first) throw new Error('the template case has no service row');
  return first;
};

const poller = (field: string): DeadLettered => ({ kind: 'dead-lettered', service: 'primero-poller', field });
const oscarWriter = (field: string): DeadLettered => ({
  kind: 'dead-lettered',
  service: 'oscar-writer',
  field,
});

export const primeroMalformations: readonly PrimeroMalformation[] = [
  {
    name: 'no case_id',
    count: 30,
    expect: poller('case_id'),
    namedBy: 'id',
    apply: (data) => {
      delete data.case_id;
      return [];
    },
  },
  {
    name: 'numeric case_id',
    count: 25,
    expect: poller('case_id'),
    namedBy: 'id',
    apply: (data, _r, { index }) => {
      data.case_id = 900_000 + index;
      return [];
    },
  },
  {
    name: '1 MB case_id',
    count: 2,
    expect: poller('case_id'),
    namedBy: 'id',
    apply: (data, _r, { rng }) => {
      const huge = hugeText(`p-case-${rng.tag()}`);
      data.case_id = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: 'case_id in Khmer with spaces',
    count: 20,
    expect: poller('case_id'),
    namedBy: 'id',
    apply: (data, _r, { rng }) => {
      const value = `ករណី ${rng.pick(khmerGiven)} ${rng.tag()}`;
      data.case_id = value;
      return [value];
    },
  },
  {
    name: 'numeric name_first',
    count: 40,
    expect: poller('name_first'),
    apply: (data, _r, { rng }) => {
      const value = rng.int(10_000_000, 99_999_999);
      data.name_first = value;
      return [String(value)];
    },
  },
  {
    name: '1 MB name_first',
    count: 3,
    expect: poller('name_first'),
    apply: (data, _r, { rng }) => {
      const huge = hugeText(`p-name-${rng.tag()}`);
      data.name_first = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: 'impossible date_of_birth',
    count: 25,
    expect: poller('date_of_birth'),
    apply: (data, _r, { rng }) => {
      const value = `20${rng.int(10, 19)}-02-30`;
      data.date_of_birth = value;
      return [value];
    },
  },
  {
    name: '11-digit-year date_of_birth',
    count: 25,
    expect: poller('date_of_birth'),
    apply: (data, _r, { rng }) => {
      const value = `220${rng.int(10, 19)}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`;
      data.date_of_birth = value;
      return [value];
    },
  },
  {
    name: 'date_of_birth in words',
    count: 15,
    expect: poller('date_of_birth'),
    apply: (data, _r, { rng }) => {
      const value = rng.pick(['about ten years old', 'born in the rainy season', '1/2/2013']);
      data.date_of_birth = value;
      return [value];
    },
  },
  {
    name: 'numeric date_of_birth',
    count: 15,
    expect: poller('date_of_birth'),
    apply: (data, _r, { rng }) => {
      const value = rng.int(20_100_101, 20_191_231);
      data.date_of_birth = value;
      return [String(value)];
    },
  },
  {
    name: 'services_section [null]',
    count: 40,
    expect: poller('services_section.0'),
    apply: (data) => {
      data.services_section = [null];
      return [];
    },
  },
  {
    name: 'services_section an object',
    count: 20,
    expect: poller('services_section'),
    apply: (data) => {
      data.services_section = { ...row(data) };
      return [];
    },
  },
  {
    name: 'location_current an object',
    count: 40,
    expect: poller('location_current'),
    apply: (data) => {
      const value = data.location_current;
      data.location_current = { code: value ?? '12010203', type: 'village' };
      return [];
    },
  },
  {
    name: 'numeric sex',
    count: 15,
    expect: poller('sex'),
    apply: (data) => {
      data.sex = 2;
      return [];
    },
  },
  {
    name: 'consent as text',
    count: 15,
    expect: poller('consent_for_services'),
    apply: (data) => {
      data.consent_for_services = 'yes';
      return [];
    },
  },
  {
    name: 'numeric service_subtype',
    count: 15,
    expect: poller('services_section.0.service_subtype'),
    apply: (data) => {
      row(data).service_subtype = 17;
      return [];
    },
  },
  {
    name: '1 MB oscar_number',
    count: 2,
    expect: poller('oscar_number'),
    apply: (data, _r, { rng }) => {
      const huge = hugeText(`p-oscar-${rng.tag()}`);
      data.oscar_number = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: 'oscar_number with spaces',
    count: 15,
    expect: poller('oscar_number'),
    apply: (data, _r, { rng }) => {
      const value = `OSCaR number ${rng.tag()}`;
      data.oscar_number = value;
      return [value];
    },
  },
  {
    name: 'two service rows with one unique_id',
    count: 15,
    expect: poller('services_section.unique_id'),
    apply: (data) => {
      const first = row(data);
      data.services_section = [first, { ...first, service_subtype: ['counselling_family'] }];
      return [];
    },
  },
  {
    name: 'numeric referral notes',
    count: 15,
    expect: poller('referrals.0.notes'),
    apply: (_d, referral) => {
      referral.notes = 42;
      return [];
    },
  },
  {
    name: 'unknown agency code',
    count: 25,
    expect: oscarWriter('service_implementing_agency'),
    apply: (data, _r, { rng }) => {
      row(data).service_implementing_agency = `agency-nowhere${rng.int(1, 9)}`;
      return [];
    },
  },
  {
    name: 'agency as free text',
    count: 20,
    expect: oscarWriter('service_implementing_agency'),
    apply: (data, _r, { rng }) => {
      const value = `អង្គការ ${rng.pick(khmerGiven)} children's home`;
      row(data).service_implementing_agency = value;
      return [value];
    },
  },
  {
    name: 'unknown risk level code',
    count: 25,
    expect: oscarWriter('risk_level'),
    apply: (data) => {
      data.risk_level = 'critical';
      return [];
    },
  },
  {
    name: 'risk level as free text',
    count: 20,
    expect: oscarWriter('risk_level'),
    apply: (data, _r, { rng }) => {
      const value = `very high, the mother of ${rng.pick(latinGiven)} called`;
      data.risk_level = value;
      return [value];
    },
  },
  {
    name: 'no risk level (OSCaR requires one)',
    count: 20,
    expect: oscarWriter('level_of_risk'),
    apply: (data) => {
      delete data.risk_level;
      return [];
    },
  },
  {
    name: 'empty names (OSCaR requires one)',
    count: 25,
    expect: oscarWriter('client_name'),
    apply: (data, _r, { rng }) => {
      data.name_first = rng.pick(['', '   ']);
      data.name_last = '';
      return [];
    },
  },
];

/** An OSCaR malformation: what it does to a stored client (or its listed JSON), and the outcome. */
export interface OscarMalformation {
  name: string;
  count: number;
  /** Created referred to MoSVY (the Referred shape, province owner) or as an NGO's own shared client. */
  referred: boolean;
  expect: Expectation;
  /**
   * Changes the client; `listedAs` holds keys that replace its JSON in the listing. Returns the values that
   * must never appear in a reason.
   */
  apply: (
    client: { globalId: string; dateOfBirth: string | null },
    listedAs: Record<string, unknown>,
    context: { rng: Rng; index: number; referralId: number | null },
  ) => string[];
  /** The id the reason must name: the global_id, or the slug when the global_id itself is broken. */
  namedBy?: 'global_id' | 'slug';
}

const oscarPoller = (field: string): DeadLettered => ({
  kind: 'dead-lettered',
  service: 'oscar-poller',
  field,
});
const primeroWriter = (field: string): DeadLettered => ({
  kind: 'dead-lettered',
  service: 'primero-writer',
  field,
});

export const oscarMalformations: readonly OscarMalformation[] = [
  {
    name: 'blank global_id',
    count: 30,
    referred: false,
    expect: oscarPoller('global_id'),
    namedBy: 'slug',
    apply: (client) => {
      client.globalId = '';
      return [];
    },
  },
  {
    name: 'no global_id',
    count: 20,
    referred: true,
    expect: oscarPoller('global_id'),
    namedBy: 'slug',
    apply: (_c, listedAs) => {
      listedAs.global_id = undefined;
      return [];
    },
  },
  {
    name: 'numeric global_id',
    count: 20,
    referred: false,
    expect: oscarPoller('global_id'),
    namedBy: 'slug',
    apply: (_c, listedAs, { index }) => {
      listedAs.global_id = 7_000_000 + index;
      return [];
    },
  },
  {
    name: '1 MB global_id',
    count: 2,
    referred: false,
    expect: oscarPoller('global_id'),
    namedBy: 'slug',
    apply: (client, _l, { rng }) => {
      const huge = hugeText(`o-gid-${rng.tag()}`);
      client.globalId = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: 'global_id in Khmer with spaces',
    count: 20,
    referred: false,
    expect: oscarPoller('global_id'),
    namedBy: 'slug',
    apply: (client, _l, { rng }) => {
      const value = `លេខ ${rng.pick(khmerGiven)} ${rng.tag()}`;
      client.globalId = value;
      return [value];
    },
  },
  {
    name: 'numeric given_name',
    count: 50,
    referred: false,
    expect: oscarPoller('given_name'),
    apply: (_c, listedAs, { rng }) => {
      const value = rng.int(10_000_000, 99_999_999);
      listedAs.given_name = value;
      return [String(value)];
    },
  },
  {
    name: '1 MB given_name',
    count: 3,
    referred: true,
    expect: oscarPoller('given_name'),
    apply: (_c, listedAs, { rng }) => {
      const huge = hugeText(`o-name-${rng.tag()}`);
      listedAs.given_name = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: 'numeric date_of_birth',
    count: 20,
    referred: false,
    expect: oscarPoller('date_of_birth'),
    apply: (_c, listedAs, { rng }) => {
      const value = rng.int(20_100_101, 20_191_231);
      listedAs.date_of_birth = value;
      return [String(value)];
    },
  },
  {
    name: 'services [null]',
    count: 50,
    referred: true,
    expect: oscarPoller('services.0'),
    apply: (_c, listedAs) => {
      listedAs.services = [null];
      return [];
    },
  },
  {
    name: 'services an object',
    count: 20,
    referred: true,
    expect: oscarPoller('services'),
    apply: (_c, listedAs) => {
      listedAs.services = { name: 'Family support' };
      return [];
    },
  },
  {
    name: 'numeric service name',
    count: 20,
    referred: true,
    expect: oscarPoller('services.0.name'),
    apply: (_c, listedAs, { referralId }) => {
      listedAs.services = [
        { program_name: null, enrollment_date: null, uuid: null, name: 7, referral_id: referralId },
      ];
      return [];
    },
  },
  {
    name: 'invalid enrollment_date',
    count: 30,
    referred: false,
    expect: oscarPoller('services.0.enrollment_date'),
    apply: (_c, listedAs, { rng }) => {
      const value = rng.pick(['2020-02-30', '22020-01-15', '15/01/2020', 'last month']);
      listedAs.services = [
        {
          program_name: 'Family Support',
          enrollment_date: value,
          uuid: 'cb5bea66-c7eb-49ca-8fa7-a7d0ef0c889f',
          name: 'Family support',
        },
      ];
      return [value];
    },
  },
  {
    name: 'is_referred as text',
    count: 20,
    referred: false,
    expect: oscarPoller('is_referred'),
    apply: (_c, listedAs) => {
      listedAs.is_referred = 'yes';
      return [];
    },
  },
  {
    name: '1 MB external_id',
    count: 2,
    referred: false,
    expect: oscarPoller('external_id'),
    apply: (_c, listedAs, { rng }) => {
      const huge = hugeText(`o-ext-${rng.tag()}`);
      listedAs.external_id = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: 'external_id with spaces',
    count: 15,
    referred: false,
    expect: oscarPoller('external_id'),
    apply: (_c, listedAs, { rng }) => {
      const value = `case of ${rng.pick(latinGiven)} ${rng.tag()}`;
      listedAs.external_id = value;
      return [value];
    },
  },
  {
    name: '1 MB mosvy_number',
    count: 2,
    referred: false,
    expect: oscarPoller('mosvy_number'),
    apply: (_c, listedAs, { rng }) => {
      const huge = hugeText(`o-mosvy-${rng.tag()}`);
      listedAs.mosvy_number = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: '1 MB reason_for_referral',
    count: 2,
    referred: true,
    expect: oscarPoller('reason_for_referral'),
    apply: (_c, listedAs, { rng }) => {
      const huge = hugeText(`o-reason-${rng.tag()}`);
      listedAs.reason_for_referral = huge;
      return [huge.slice(0, 30)];
    },
  },
  {
    name: 'unknown province',
    count: 40,
    referred: true,
    expect: primeroWriter('location_current_village_code'),
    apply: (_c, listedAs, { rng }) => {
      const value = `${rng.pick(['26', '27', '31', '99'])}0${rng.int(100_000, 999_999)}`.slice(0, 8);
      listedAs.location_current_village_code = value;
      listedAs.address_current_village_code = value;
      return [value];
    },
  },
  {
    name: 'location in Khmer words',
    count: 20,
    referred: true,
    expect: primeroWriter('location_current_village_code'),
    apply: (_c, listedAs, { rng }) => {
      const value = `ភូមិ${rng.pick(khmerFamily)} ${rng.tag()}`;
      listedAs.location_current_village_code = value;
      listedAs.address_current_village_code = value;
      return [value];
    },
  },
  {
    name: 'unknown organisation code',
    count: 30,
    referred: false,
    expect: primeroWriter('organization_name'),
    apply: (_c, listedAs, { rng }) => {
      listedAs.organization_name = rng.pick(['nowhere', 'zz', 'demo']);
      return [];
    },
  },
  {
    name: 'organisation as free text',
    count: 20,
    referred: false,
    expect: primeroWriter('organization_name'),
    apply: (_c, listedAs, { rng }) => {
      const value = `អង្គការ ${rng.pick(khmerFamily)} ${rng.tag()}`;
      listedAs.organization_name = value;
      return [value];
    },
  },
  {
    name: 'unknown level of risk code',
    count: 30,
    referred: true,
    expect: primeroWriter('level_of_risk'),
    apply: (_c, listedAs) => {
      listedAs.level_of_risk = 'extreme';
      return [];
    },
  },
  {
    name: 'level of risk as free text',
    count: 20,
    referred: true,
    expect: primeroWriter('level_of_risk'),
    apply: (_c, listedAs, { rng }) => {
      const value = `high: ${rng.pick(latinGiven)} is alone at home`;
      listedAs.level_of_risk = value;
      return [value];
    },
  },
];
