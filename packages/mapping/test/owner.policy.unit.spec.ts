import { describe, expect, it } from 'vitest';

import { ownerFor, planPrimeroCaseWrite } from '../src/index.ts';
import {
  buildOscarClient,
  buildSharedClient,
  buildUnlinkedClient,
  ids,
  type Json,
  loadTables,
  oscarEvent,
  today,
} from './builders.ts';

const tables = loadTables();
const referred = (overrides: Json) => oscarEvent(buildOscarClient(overrides));
const notReferred = (overrides: Json) => oscarEvent(buildUnlinkedClient(overrides));

describe('owner of a new case of a referred client: province user', () => {
  it.each([
    ['12060102', '120611', 'mgrpnh', 'Phnom Penh village'],
    ['19020304', '120611', 'mgrstg', 'Stung Treng (the legacy map lost it)'],
    ['22010101', '120611', 'mgromc', 'Oddar Meanchey keeps 22'],
    ['0004', '120611', 'mgrkch', '"00" prefix → characters 3–4'],
    ['25', '120611', 'mgrtkm', 'a bare province code'],
    ['1070101', '120611', 'mgrbmc', 'a code that lost its leading zero'],
    ['', '120611', 'mgrpnh', "no location → the NGO's address code"],
    ['', '0004', 'mgrkch', 'NGO address with "00" prefix'],
  ])('%s / NGO %s → %s (%s)', (location, address, user) => {
    const event = referred({
      location_current_village_code: location,
      address_current_village_code: location,
      organization_address_code: address,
    });
    expect(ownerFor(event, true, tables)).toEqual({ ok: true, value: user });
  });

  it('is null without any location code (and the create then leaves the owner to Primero)', () => {
    const event = referred({
      location_current_village_code: '',
      address_current_village_code: '',
      organization_address_code: '',
    });
    expect(ownerFor(event, true, tables)).toEqual({ ok: true, value: null });
    const out = planPrimeroCaseWrite({ event, existing: null, tables, today });
    expect(out.kind === 'create' && out.data).not.toHaveProperty('owned_by');
  });

  it('is a permanent error naming provinces.csv for an unknown province', () => {
    const event = referred({ location_current_village_code: '26010101' });
    const out = ownerFor(event, true, tables);
    expect(out).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_PROVINCE', permanent: true, field: 'location_current_village_code' },
    });
    if (!out.ok) {
      expect(out.error.message).toBe(
        `OSCaR client ${ids.globalId} location_current_village_code: province "26" is not in config/mappings/provinces.csv — add a row for it`,
      );
    }
  });

  it('names organization_address_code when that was the source', () => {
    const event = referred({
      location_current_village_code: '',
      address_current_village_code: '',
      organization_address_code: '990101',
    });
    expect(ownerFor(event, true, tables)).toMatchObject({
      ok: false,
      error: { field: 'organization_address_code' },
    });
  });
});

describe('owner of a new case of a client that was not referred: agency user', () => {
  it('is the generic user of the NGO', () => {
    expect(ownerFor(notReferred({ organization_name: 'mho' }), true, tables)).toEqual({
      ok: true,
      value: 'agency-mho-user',
    });
  });

  it('is a permanent error naming agencies.csv for an unknown organisation', () => {
    const out = ownerFor(notReferred({ organization_name: 'newngo' }), true, tables);
    expect(out).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_ORGANIZATION', field: 'organization_name' },
    });
    if (!out.ok) {
      expect(out.error.message).toBe(
        'OSCaR client 01HY0C2D3E4F5G6H7J8K9M0N1P organization_name: organisation "newngo" is not in config/mappings/agencies.csv — add a row for it (newngo,agency-newngo,agency-newngo-user)',
      );
    }
  });

  it('is a permanent error for an empty organisation', () => {
    expect(ownerFor(notReferred({ organization_name: '' }), true, tables)).toMatchObject({
      ok: false,
      error: { code: 'MISSING_KEY', field: 'organization_name' },
    });
  });
});

describe('owner on update (docs/legacy-integration.md §5.3)', () => {
  it('is recomputed for OSCaR-originated cases', () => {
    expect(ownerFor(referred({}), false, tables)).toEqual({ ok: true, value: 'mgrpnh' });
    expect(ownerFor(notReferred({}), false, tables)).toEqual({ ok: true, value: 'agency-cif-user' });
  });

  it('is omitted for cases linked to Primero (resource primero), even with an unknown province', () => {
    const event = oscarEvent(buildSharedClient({ location_current_village_code: '26010101' }));
    expect(ownerFor(event, false, tables)).toEqual({ ok: true, value: undefined });
  });
});
