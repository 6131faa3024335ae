/**
 * Deterministic synthetic people for the simulators' `/_control/seed`. Everything here is invented: common
 * Cambodian given and family names in Latin and Khmer script, and well-formed admin location codes.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** mulberry32: small, fast, good enough for test data; the same seed gives the same sequence. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      const item = items[Math.floor(next() * items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    chance: (probability) => next() < probability,
  };
}

/** [Latin, Khmer] pairs. */
const givenNames = [
  ['Sokha', 'សុខា'],
  ['Dara', 'ដារា'],
  ['Vanna', 'វណ្ណា'],
  ['Bopha', 'បុប្ផា'],
  ['Sophea', 'សុភា'],
  ['Kosal', 'កុសល'],
  ['Chenda', 'ចិន្តា'],
  ['Rithy', 'រិទ្ធី'],
  ['Sreymom', 'ស្រីមុំ'],
  ['Piseth', 'ពិសិដ្ឋ'],
  ['Sreypov', 'ស្រីពៅ'],
  ['Visal', 'វិសាល'],
  ['Channary', 'ចន្ទនារី'],
  ['Vibol', 'វិបុល'],
  ['Sokunthea', 'សុគន្ធា'],
  ['Rathana', 'រតនា'],
] as const;

const familyNames = [
  ['Chan', 'ចាន់'],
  ['Sok', 'សុខ'],
  ['Heng', 'ហេង'],
  ['Kim', 'គីម'],
  ['Lim', 'លីម'],
  ['Keo', 'កែវ'],
  ['Meas', 'មាស'],
  ['Phan', 'ផាន'],
  ['Sam', 'សំ'],
  ['Touch', 'ទូច'],
  ['Nget', 'ង៉ែត'],
  ['Chea', 'ជា'],
] as const;

export interface SyntheticPerson {
  givenName: string;
  familyName: string;
  localGivenName: string;
  localFamilyName: string;
  sex: 'female' | 'male';
  /** `YYYY-MM-DD`, a child aged 1–17 relative to `today`. */
  dateOfBirth: string;
}

export function syntheticPerson(rng: Rng, today: Date): SyntheticPerson {
  const [givenName, localGivenName] = rng.pick(givenNames);
  const [familyName, localFamilyName] = rng.pick(familyNames);
  const year = today.getUTCFullYear() - rng.int(1, 17);
  const month = String(rng.int(1, 12)).padStart(2, '0');
  const day = String(rng.int(1, 28)).padStart(2, '0');
  return {
    givenName,
    familyName,
    localGivenName,
    localFamilyName,
    sex: rng.chance(0.5) ? 'female' : 'male',
    dateOfBirth: `${year}-${month}-${day}`,
  };
}

/** An 8-digit village code `PPDDCCVV`, zero-padded, province 01–25. */
export function syntheticVillageCode(rng: Rng): string {
  const part = (min: number, max: number) => String(rng.int(min, max)).padStart(2, '0');
  return `${part(1, 25)}${part(1, 12)}${part(1, 12)}${part(1, 20)}`;
}

export function syntheticPhone(rng: Rng): string {
  return `0${rng.pick(['12', '15', '17', '77', '89', '96'])}${String(rng.int(100000, 999999))}`;
}
