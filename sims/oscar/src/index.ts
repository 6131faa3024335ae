export type { OscarSim, OscarSimOptions } from './app.ts';
export { buildOscarSim } from './app.ts';
export { loadCatalogue } from './catalogue.ts';
export type { ReferredClientJson, ServiceJson, SharedClientJson } from './core/client.serializer.ts';
export type { CatalogueService, Client, Organization, Referral } from './core/model.ts';
export { encodeUlid, ulidPattern } from './core/ulid.ts';
export type { SeedSummary } from './seed.ts';
export type { IdGenerators, Store } from './state/store.ts';
