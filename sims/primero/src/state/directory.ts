import { createRng, syntheticPhone, syntheticVillageCode } from '@pos/sim-kit';

import type { Owner } from '../core/case-lifecycle.ts';
import type { LocationIndex } from '../core/filter.ts';
import { oscarOrganizations, provinces } from '../data/cambodia.ts';

/**
 * Users, agencies and locations of the simulated Cambodia Primero. Everything is invented except the
 * user and agency naming (province managers `mgr…`, NGO agencies `agency-<org>` with `agency-<org>-user`),
 * which the integration relies on.
 */

export interface User {
  readonly id: number;
  readonly userName: string;
  readonly fullName: string;
  readonly password: string;
  readonly agencyId: string;
  readonly groups: readonly string[];
  /** A location code (province for managers). */
  readonly location: string;
  readonly phone: string;
  readonly email: string;
  readonly roleId: string;
  readonly disabled: boolean;
}

export interface Agency {
  readonly id: number;
  readonly uniqueId: string;
  readonly agencyCode: string;
  readonly name: string;
}

export interface Location {
  readonly id: number;
  /** Primero's location code: the admin code without leading zeros (`1070101` for OSCaR `01070101`). */
  readonly code: string;
  readonly type: 'country' | 'province' | 'district' | 'commune' | 'village';
  readonly adminLevel: number;
  readonly placename: string;
  /** Full name, ancestors joined with `::`. */
  readonly name: string;
  /** Codes from the country down to this location. */
  readonly hierarchy: readonly string[];
}

export interface UserSpec {
  readonly userName: string;
  readonly password: string;
  readonly fullName?: string;
  readonly agencyId?: string;
  readonly groups?: readonly string[];
  readonly location?: string;
  readonly roleId?: string;
}

export interface DirectoryOptions {
  readonly syncUser: string;
  readonly syncPassword: string;
  /** Password of every other built-in user (province managers, agency users). */
  readonly usersPassword: string;
  readonly extraUsers?: readonly UserSpec[];
}

export interface Directory {
  readonly users: readonly User[];
  readonly agencies: readonly Agency[];
  readonly locations: readonly Location[];
  readonly locationIndex: LocationIndex;
  readonly syncUser: User;
  /** Devise lookup: case-insensitive, whitespace stripped. */
  findForLogin(userName: string): User | undefined;
  /** Exact lookup, as `User.where(user_name: …)`. */
  findExact(userName: string): User | undefined;
  findById(id: number): User | undefined;
  findLocation(code: string): Location | undefined;
  /** The owner fields Primero copies onto a case. */
  ownerOf(user: User): Owner;
  /** Village codes (Primero form, no leading zeros) the seed may use. */
  readonly seedVillages: readonly string[];
}

export const countryCode = 'KH';

export function createDirectory(options: DirectoryOptions): Directory {
  const agencies = buildAgencies();
  const locations = buildLocations();
  const users = buildUsers(options);
  const byLogin = new Map(users.map((user) => [normalizeLogin(user.userName), user]));
  const byName = new Map(users.map((user) => [user.userName, user]));
  const byId = new Map(users.map((user) => [user.id, user]));
  const byCode = new Map(locations.map((location) => [location.code, location]));
  const syncUser = byName.get(options.syncUser);
  if (syncUser === undefined) throw new Error('the sync user is missing from the directory');

  const locationIndex: LocationIndex = {
    levelOf: (code) => byCode.get(code)?.adminLevel,
    ancestorAt: (code, level) => byCode.get(code)?.hierarchy[level],
  };

  return {
    users,
    agencies,
    locations,
    locationIndex,
    syncUser,
    findForLogin: (userName) => byLogin.get(normalizeLogin(userName)),
    findExact: (userName) => byName.get(userName),
    findById: (id) => byId.get(id),
    findLocation: (code) => byCode.get(code),
    ownerOf: (user) => ({
      userName: user.userName,
      fullName: user.fullName,
      agencyId: user.agencyId,
      groups: user.groups,
      location: user.location,
    }),
    seedVillages: locations
      .filter((location) => location.type === 'village')
      .map((location) => location.code),
  };
}

export function normalizeLogin(userName: string): string {
  return userName.toLowerCase().replace(/\s+/g, '');
}

/** The Primero code of a zero-padded admin code: integer-parse then stringify, as the integration does. */
export function primeroLocationCode(paddedCode: string): string {
  return String(Number.parseInt(paddedCode, 10));
}

function buildAgencies(): Agency[] {
  const list: Omit<Agency, 'id'>[] = [
    { uniqueId: 'agency-unicef', agencyCode: 'UNICEF', name: 'UNICEF' },
    {
      uniqueId: 'agency-mosvy',
      agencyCode: 'MOSVY',
      name: 'Ministry of Social Affairs, Veterans and Youth Rehabilitation',
    },
    ...oscarOrganizations.map((org) => ({
      uniqueId: `agency-${org}`,
      agencyCode: org.toUpperCase(),
      name: `${org.toUpperCase()} (OSCaR NGO)`,
    })),
  ];
  return list.map((agency, index) => ({ id: index + 1, ...agency }));
}

function buildUsers(options: DirectoryOptions): User[] {
  const rng = createRng(20_220_901);
  const users: Omit<User, 'id'>[] = [
    {
      userName: options.syncUser,
      fullName: 'Primero OSCaR Sync',
      password: options.syncPassword,
      agencyId: 'agency-unicef',
      groups: ['usergroup-unicef'],
      location: countryCode,
      phone: syntheticPhone(rng),
      email: `${options.syncUser}@primero.example.org`,
      roleId: 'role-integration',
      disabled: false,
    },
    ...provinces.map((province) => ({
      userName: province.user,
      fullName: `${province.name} Manager`,
      password: options.usersPassword,
      agencyId: 'agency-mosvy',
      groups: [`usergroup-${province.name.toLowerCase().replace(/\s+/g, '-')}`],
      location: primeroLocationCode(province.code),
      phone: syntheticPhone(rng),
      email: `${province.user}@mosvy.example.org`,
      roleId: 'role-cp-manager',
      disabled: false,
    })),
    ...oscarOrganizations.map((org) => ({
      userName: `agency-${org}-user`,
      fullName: `${org.toUpperCase()} Case Worker`,
      password: options.usersPassword,
      agencyId: `agency-${org}`,
      groups: [`usergroup-agency-${org}`],
      location: primeroLocationCode('12'),
      phone: syntheticPhone(rng),
      email: `agency-${org}-user@ngo.example.org`,
      roleId: 'role-cp-service-provider',
      disabled: false,
    })),
    ...(options.extraUsers ?? []).map((spec) => ({
      userName: spec.userName,
      fullName: spec.fullName ?? spec.userName,
      password: spec.password,
      agencyId: spec.agencyId ?? 'agency-mosvy',
      groups: spec.groups ?? ['usergroup-mosvy'],
      location: spec.location ?? primeroLocationCode('12'),
      phone: syntheticPhone(rng),
      email: `${spec.userName}@primero.example.org`,
      roleId: spec.roleId ?? 'role-cp-case-worker',
      disabled: false,
    })),
  ];
  const seen = new Set<string>();
  return users
    .filter((user) => {
      const key = normalizeLogin(user.userName);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((user, index) => ({ id: index + 1, ...user }));
}

/**
 * The country, the 25 provinces, and a fixed pool of districts, communes and villages (drawn with the
 * shared synthetic village-code generator from a fixed seed, so the list never changes).
 */
function buildLocations(): Location[] {
  const locations: Omit<Location, 'id'>[] = [
    {
      code: countryCode,
      type: 'country',
      adminLevel: 0,
      placename: 'Cambodia',
      name: 'Cambodia',
      hierarchy: [countryCode],
    },
  ];
  const provinceByCode = new Map<string, string>();
  for (const province of provinces) {
    const code = primeroLocationCode(province.code);
    provinceByCode.set(province.code, province.name);
    locations.push({
      code,
      type: 'province',
      adminLevel: 1,
      placename: province.name,
      name: `Cambodia::${province.name}`,
      hierarchy: [countryCode, code],
    });
  }
  const rng = createRng(855);
  const known = new Set(locations.map((location) => location.code));
  const villages = new Set<string>(['12010203']);
  while (villages.size < 300) villages.add(syntheticVillageCode(rng));
  for (const padded of [...villages].sort()) {
    const provinceName = provinceByCode.get(padded.slice(0, 2)) ?? 'Unknown';
    const levels = [
      {
        padded: padded.slice(0, 4),
        type: 'district' as const,
        placename: `${provinceName} District ${padded.slice(2, 4)}`,
      },
      { padded: padded.slice(0, 6), type: 'commune' as const, placename: `Commune ${padded.slice(2, 6)}` },
      { padded, type: 'village' as const, placename: `Village ${padded.slice(2, 8)}` },
    ];
    const hierarchy = [countryCode, primeroLocationCode(padded.slice(0, 2))];
    const names = ['Cambodia', provinceName];
    for (const [index, level] of levels.entries()) {
      const code = primeroLocationCode(level.padded);
      hierarchy.push(code);
      names.push(level.placename);
      if (known.has(code)) continue;
      known.add(code);
      locations.push({
        code,
        type: level.type,
        adminLevel: index + 2,
        placename: level.placename,
        name: names.join('::'),
        hierarchy: [...hierarchy],
      });
    }
  }
  return locations.map((location, index) => ({ id: index + 1, ...location }));
}
