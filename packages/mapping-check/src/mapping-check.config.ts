import { type ConfigOf, defineEnv, mappingsEnv, oscarEnv, primeroEnv } from '@pos/runtime';

/** What `pnpm mapping:check` reads: the services' own Primero, OSCaR and mapping-folder variables. */
export const mappingCheckEnv = defineEnv({
  ...primeroEnv,
  ...oscarEnv,
  ...mappingsEnv,
});

export type MappingCheckConfig = ConfigOf<typeof mappingCheckEnv>;
