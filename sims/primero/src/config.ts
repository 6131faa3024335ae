import { parseVersion, supportedVersionHint } from './core/version.ts';
import type { WebhookAuthType, WebhookSpec } from './state/webhook-registry.ts';
import { moduleIds } from './state/webhook-registry.ts';

/**
 * The only reader of process.env for the standalone simulator. Every invalid variable is reported at
 * once, then the config is frozen.
 */

export interface PrimeroSimConfig {
  readonly port: number;
  readonly host: string;
  readonly version: string;
  readonly syncUser: string;
  readonly syncPassword: string;
  readonly usersPassword: string;
  readonly controlToken: string;
  readonly jwtTtlSeconds: number;
  /** `PRIMERO_SIM_PER_PAGE_CAP`: a number, `none`, or unset for the version's default. */
  readonly perPageCap: number | null | undefined;
  readonly logLevel: string;
  /** The webhook of `PRIMERO_SIM_WEBHOOK_URL`, if set. */
  readonly webhooks: readonly WebhookSpec[];
  /** Modules whose `use_webhooks_for` (and `use_webhook_sync_for`) is `["case"]`. */
  readonly webhookModules: readonly string[];
  readonly webhookPollMs: number;
  readonly webhookTimeoutMs: number;
  readonly hostname: string;
}

/** Name, default and meaning of each variable (rendered in the README). */
export const envTable = [
  ['PORT', '4010', 'HTTP port'],
  ['HOST', '0.0.0.0', 'listen address'],
  ['PRIMERO_SIM_VERSION', '2.5', 'Primero behaviour to simulate: 2.5 (v2.5–v2.10), 2.10.3, 2.11'],
  ['PRIMERO_SIM_USER', 'primero-sync', 'the integration user'],
  ['PRIMERO_SIM_PASSWORD', 'primero-sync-password', "the integration user's password"],
  ['PRIMERO_SIM_USERS_PASSWORD', 'primero-user-password', 'password of every other built-in user'],
  ['SIM_CONTROL_TOKEN', 'sim-control', '`x-control-token` for /_control/'],
  ['PRIMERO_SIM_JWT_TTL_SECONDS', '3600', 'JWT lifetime'],
  ['PRIMERO_SIM_PER_PAGE_CAP', '(by version)', '`per` cap: a number or `none`'],
  ['LOG_LEVEL', 'info', 'pino level'],
  ['PRIMERO_SIM_WEBHOOK_URL', '(none)', 'a webhook to register at start'],
  ['PRIMERO_SIM_WEBHOOK_EVENTS', 'case.create,case.update,case.post', "that webhook's events"],
  ['PRIMERO_SIM_WEBHOOK_AUTH', 'none', '`api_key`, `basic_auth` or `none`'],
  ['PRIMERO_SIM_WEBHOOK_SECRET', '(none)', 'the `x-api-key` value, or `user:password`'],
  ['PRIMERO_SIM_WEBHOOK_ROLE', 'role-integration', 'role whose readable fields the notices carry'],
  [
    'PRIMERO_SIM_WEBHOOK_MODULES',
    'primeromodule-cp',
    'modules with `use_webhooks_for: ["case"]` (when a URL is set), or `none`',
  ],
  ['PRIMERO_SIM_WEBHOOK_POLL_MS', '5000', "the webhook worker's poll delay"],
  ['PRIMERO_SIM_WEBHOOK_TIMEOUT_MS', '60000', 'idle timeout of one webhook POST'],
  ['PRIMERO_SIM_HOSTNAME', 'localhost', '`hostname` in every notice'],
] as const;

export function loadConfig(env: Readonly<Record<string, string | undefined>>): PrimeroSimConfig {
  const problems: string[] = [];
  const text = (name: string, fallback: string): string => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    return value;
  };
  const integer = (name: string, fallback: number, min: number, max: number, hint: string): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} is not valid (${JSON.stringify(raw)}): ${hint}`);
      return fallback;
    }
    return value;
  };

  const version = text('PRIMERO_SIM_VERSION', '2.5');
  if (parseVersion(version) === undefined)
    problems.push(`PRIMERO_SIM_VERSION is not valid (${JSON.stringify(version)}): ${supportedVersionHint}`);
  const capRaw = env.PRIMERO_SIM_PER_PAGE_CAP;
  let perPageCap: number | null | undefined;
  if (capRaw === 'none') perPageCap = null;
  else if (capRaw !== undefined && capRaw !== '') {
    perPageCap = integer(
      'PRIMERO_SIM_PER_PAGE_CAP',
      1000,
      1,
      1_000_000,
      'set it to a positive integer or `none`',
    );
  }

  const webhookUrl = text('PRIMERO_SIM_WEBHOOK_URL', '');
  if (webhookUrl !== '' && !/^https?:\/\/./.test(webhookUrl))
    problems.push(
      `PRIMERO_SIM_WEBHOOK_URL is not valid (${JSON.stringify(webhookUrl)}): set it to an http:// or https:// URL`,
    );
  const events = text('PRIMERO_SIM_WEBHOOK_EVENTS', 'case.create,case.update,case.post')
    .split(',')
    .map((event) => event.trim())
    .filter((event) => event !== '');
  if (events.length === 0)
    problems.push(
      'PRIMERO_SIM_WEBHOOK_EVENTS is empty: set it to a comma list such as case.create,case.update',
    );
  const auth = text('PRIMERO_SIM_WEBHOOK_AUTH', 'none');
  if (!['none', 'api_key', 'basic_auth'].includes(auth))
    problems.push(
      `PRIMERO_SIM_WEBHOOK_AUTH is not valid (${JSON.stringify(auth)}): set it to api_key, basic_auth or none`,
    );
  const secret = text('PRIMERO_SIM_WEBHOOK_SECRET', '');
  if (auth !== 'none' && secret === '')
    problems.push(
      `PRIMERO_SIM_WEBHOOK_SECRET is empty: ${auth} needs a secret (an API key, or user:password)`,
    );
  const modulesRaw = text('PRIMERO_SIM_WEBHOOK_MODULES', 'primeromodule-cp');
  const webhookModules =
    webhookUrl === '' || modulesRaw === 'none' ? [] : modulesRaw.split(',').map((id) => id.trim());
  for (const id of webhookModules) {
    if (!(moduleIds as readonly string[]).includes(id))
      problems.push(
        `PRIMERO_SIM_WEBHOOK_MODULES names ${JSON.stringify(id)}: use ${moduleIds.join(', ')} or none`,
      );
  }

  const config: PrimeroSimConfig = {
    port: integer('PORT', 4010, 0, 65_535, 'set it to a port number such as 4010'),
    host: text('HOST', '0.0.0.0'),
    version,
    syncUser: text('PRIMERO_SIM_USER', 'primero-sync'),
    syncPassword: text('PRIMERO_SIM_PASSWORD', 'primero-sync-password'),
    usersPassword: text('PRIMERO_SIM_USERS_PASSWORD', 'primero-user-password'),
    controlToken: text('SIM_CONTROL_TOKEN', 'sim-control'),
    jwtTtlSeconds: integer(
      'PRIMERO_SIM_JWT_TTL_SECONDS',
      3600,
      1,
      31_536_000,
      'set it to a number of seconds such as 3600',
    ),
    perPageCap,
    logLevel: text('LOG_LEVEL', 'info'),
    webhooks:
      webhookUrl === ''
        ? []
        : [
            {
              url: webhookUrl,
              events,
              authType: auth === 'none' ? null : (auth as WebhookAuthType),
              authSecret: secret === '' ? null : secret,
              roleUniqueId: text('PRIMERO_SIM_WEBHOOK_ROLE', 'role-integration'),
            },
          ],
    webhookModules,
    webhookPollMs: integer(
      'PRIMERO_SIM_WEBHOOK_POLL_MS',
      5000,
      1,
      3_600_000,
      'set it to a number of milliseconds such as 5000',
    ),
    webhookTimeoutMs: integer(
      'PRIMERO_SIM_WEBHOOK_TIMEOUT_MS',
      60_000,
      1,
      3_600_000,
      'set it to a number of milliseconds such as 60000',
    ),
    hostname: text('PRIMERO_SIM_HOSTNAME', 'localhost'),
  };
  if (problems.length > 0)
    throw new Error(`Invalid Primero simulator configuration:\n- ${problems.join('\n- ')}`);
  return Object.freeze(config);
}
