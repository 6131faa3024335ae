import { type ConfigOf, defineEnv, env, mappingsEnv, oscarEnv, primeroEnv } from '@pos/runtime';

/** What `pnpm cutover:report` and `pnpm cutover:prime` read: the same variables as the services. */
export const cutoverEnv = defineEnv({
  DATABASE_URL: {
    schema: env.url(['postgres', 'postgresql']),
    description: "The services' database (the oscar-writer keeps its memory in schema oscar_writer)",
    default: 'postgres://postgres@127.0.0.1:5432/test',
  },
  ...primeroEnv,
  ...oscarEnv,
  ...mappingsEnv,
  REFERRALS_CREATED_SINCE: {
    schema: env.optionalDateTime(),
    description:
      "The oscar-writer's cut-over instant: referrals created before it are not sent (empty = all)",
    default: '',
  },
});

export type CutoverConfig = ConfigOf<typeof cutoverEnv>;
