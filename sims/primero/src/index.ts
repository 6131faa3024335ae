export type { PrimeroSimOptions } from './app.ts';
export { buildPrimeroSim } from './app.ts';
export type { PrimeroSimConfig } from './config.ts';
export { envTable, loadConfig } from './config.ts';
export type { VersionFlags } from './core/version.ts';
export { versionFlags } from './core/version.ts';
export { oscarOrganizations, provinces, serviceTypes } from './data/cambodia.ts';
export type { UserSpec } from './state/directory.ts';
