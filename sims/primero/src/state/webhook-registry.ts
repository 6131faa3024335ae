/**
 * What Primero's configuration holds for outbound webhooks (docs/upstream/primero.md §14.3): the
 * `webhooks` rows, each module's `use_webhooks_for` / `use_webhook_sync_for` options, and the roles whose
 * permissions decide what a notice carries and who may mark a record synced.
 */

export type WebhookAuthType = 'api_key' | 'basic_auth';

/** A `webhooks` row. `events` are `case.create`, `case.update`, `case.post`. */
export interface Webhook {
  readonly id: string;
  readonly events: readonly string[];
  readonly url: string;
  readonly authType: WebhookAuthType | null;
  /** `api_key`: the `x-api-key` value; `basic_auth`: `user:pass`. Stored as given, never rendered. */
  readonly authSecret: string | null;
  readonly roleUniqueId: string;
}

export type WebhookSpec = Omit<Webhook, 'id'>;

/** `module_options` keys the webhook machinery reads. */
export interface ModuleWebhookOptions {
  readonly use_webhooks_for?: readonly string[];
  readonly use_webhook_sync_for?: readonly string[];
}

/**
 * A role as far as webhooks care: the case fields a holder may read (`all` for the built-in roles) and
 * the `sync_external` and audit-log `read` permissions.
 */
export interface Role {
  readonly uniqueId: string;
  readonly fields: 'all' | readonly string[];
  readonly syncExternal: boolean;
  readonly readAuditLogs: boolean;
}

export const moduleIds = ['primeromodule-cp', 'primeromodule-gbv', 'primeromodule-mrm'] as const;

/** The simulator's users' roles: every one reads every field; only the integration's may sync or read audit logs. */
export const builtInRoles: readonly Role[] = [
  { uniqueId: 'role-integration', fields: 'all', syncExternal: true, readAuditLogs: true },
  { uniqueId: 'role-cp-manager', fields: 'all', syncExternal: false, readAuditLogs: false },
  { uniqueId: 'role-cp-service-provider', fields: 'all', syncExternal: false, readAuditLogs: false },
  { uniqueId: 'role-cp-case-worker', fields: 'all', syncExternal: false, readAuditLogs: false },
];

export type AddWebhookOutcome = { ok: true; webhook: Webhook } | { ok: false; reason: 'DUPLICATE_URL' };

export interface WebhookRegistry {
  webhooks(): readonly Webhook[];
  get(id: string): Webhook | undefined;
  /** `Webhook.webhooks_for`: the rows whose events contain `event`, in creation order. */
  webhooksFor(event: string): readonly Webhook[];
  add(spec: WebhookSpec): AddWebhookOutcome;
  /** Replaces the row's fields; a url taken by another row is refused like the unique index. */
  update(id: string, spec: WebhookSpec): AddWebhookOutcome | undefined;
  remove(id: string): boolean;
  moduleOptions(moduleId: string): ModuleWebhookOptions;
  setModuleOptions(moduleId: string, options: ModuleWebhookOptions): void;
  role(uniqueId: string): Role | undefined;
  roles(): readonly Role[];
  setRole(role: Role): void;
  /** Back to the configuration the simulator was built with. */
  reset(): void;
}

export interface WebhookRegistryOptions {
  readonly webhooks: readonly WebhookSpec[];
  readonly moduleOptions: Readonly<Record<string, ModuleWebhookOptions>>;
  readonly roles: readonly Role[];
  readonly newId: () => string;
}

export function createWebhookRegistry(options: WebhookRegistryOptions): WebhookRegistry {
  let webhooks: Webhook[] = [];
  let modules = new Map<string, ModuleWebhookOptions>();
  let roles = new Map<string, Role>();
  const urlTaken = (url: string, exceptId?: string) =>
    webhooks.some((webhook) => webhook.url === url && webhook.id !== exceptId);

  const registry: WebhookRegistry = {
    webhooks: () => webhooks,
    get: (id) => webhooks.find((webhook) => webhook.id === id),
    webhooksFor: (event) => webhooks.filter((webhook) => webhook.events.includes(event)),
    add(spec) {
      if (urlTaken(spec.url)) return { ok: false, reason: 'DUPLICATE_URL' };
      const webhook: Webhook = { id: options.newId(), ...spec };
      webhooks.push(webhook);
      return { ok: true, webhook };
    },
    update(id, spec) {
      const index = webhooks.findIndex((webhook) => webhook.id === id);
      if (index === -1) return undefined;
      if (urlTaken(spec.url, id)) return { ok: false, reason: 'DUPLICATE_URL' };
      const webhook: Webhook = { id, ...spec };
      webhooks[index] = webhook;
      return { ok: true, webhook };
    },
    remove(id) {
      const before = webhooks.length;
      webhooks = webhooks.filter((webhook) => webhook.id !== id);
      return webhooks.length !== before;
    },
    moduleOptions: (moduleId) => modules.get(moduleId) ?? {},
    setModuleOptions: (moduleId, next) => {
      modules.set(moduleId, next);
    },
    role: (uniqueId) => roles.get(uniqueId),
    roles: () => [...roles.values()],
    setRole: (role) => {
      roles.set(role.uniqueId, role);
    },
    reset() {
      webhooks = [];
      modules = new Map(Object.entries(options.moduleOptions));
      roles = new Map([...builtInRoles, ...options.roles].map((role) => [role.uniqueId, role]));
      for (const spec of options.webhooks) registry.add(spec);
    },
  };
  registry.reset();
  return registry;
}
