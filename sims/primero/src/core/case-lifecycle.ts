import type { JsonObject, JsonValue } from './json.ts';
import { cloneJson, deepEqual, isJsonObject } from './json.ts';
import { mergeData, mergeHashes } from './merge.ts';
import { isPresent } from './present.ts';
import { calculateWorkflow, updateImplementField } from './services.ts';

/**
 * What happens when Primero saves a case (Child, v2.5.7): defaults and creation stamps for new records,
 * the merge of the request data, model validation, then the before-save callbacks in order —
 * subform ids, timestamps, associated users, owner fields (an unknown owner is reverted), service
 * implemented flags, workflow, previous owner, and on create the identifiers.
 */

export interface Owner {
  readonly userName: string;
  readonly fullName: string;
  readonly agencyId: string;
  readonly groups: readonly string[];
  readonly location: string;
}

export interface SaveContext {
  /** Epoch milliseconds of this save. */
  readonly now: number;
  /** The user the request is authenticated as. */
  readonly actor: Owner;
  /** Exact user-name lookup (Primero's `User.where(user_name: …)`). */
  readonly findUser: (userName: string) => Owner | undefined;
  readonly newId: () => string;
}

export interface ModelError {
  readonly field: string;
  readonly messages: readonly string[];
}

export type SaveOutcome =
  | { readonly ok: true; readonly data: JsonObject; readonly changed: readonly string[] }
  | { readonly ok: false; readonly errors: readonly ModelError[] };

const cpModule = 'primeromodule-cp';

/** Record.new_with_user + save!: `input` is the validated `data` without `id`. */
export function createCase(input: JsonObject, uniqueIdentifier: string, ctx: SaveContext): SaveOutcome {
  const nowIso = new Date(ctx.now).toISOString();
  // Record#defaults and Child#defaults, then the request data merged over them.
  const defaults: JsonObject = { record_state: true, status: 'open', registration_date: nowIso.slice(0, 10) };
  const data = mergeHashes(defaults, input);
  // Historical#creation_fields_for
  data.created_by = ctx.actor.userName;
  data.created_organization = ctx.actor.agencyId;
  data.last_updated_by = ctx.actor.userName;
  data.created_at ??= nowIso;
  data.last_updated_at = nowIso;
  data.posted_at = nowIso;
  // Ownable#owner_fields_for
  if (data.owned_by === undefined || data.owned_by === null || data.owned_by === false) {
    data.owned_by = ctx.actor.userName;
  }
  data.owned_by_full_name = ctx.actor.fullName;
  data.associated_user_names = associatedUserNames(data);
  return saveCase(undefined, data, ctx, uniqueIdentifier);
}

/** Record#update_properties + save!: merge `patch` (validated, `id` ignored) into the stored data. */
export function updateCase(stored: JsonObject, patch: JsonObject, ctx: SaveContext): SaveOutcome {
  const { id: _ignored, ...rest } = patch;
  const data = mergeData(cloneJson(stored), rest);
  if (!isJsonObject(data)) throw new Error('merging two hashes gave a non-hash');
  data.last_updated_by = ctx.actor.userName;
  return saveCase(stored, data, ctx);
}

/**
 * Saves `next` over `previous` (undefined for a new record): validation, then the before-save callbacks.
 * `changed` lists the top-level keys whose value differs afterwards, without `last_updated_at/by`
 * (Historical#saved_changes_to_record).
 */
export function saveCase(
  previous: JsonObject | undefined,
  next: JsonObject,
  ctx: SaveContext,
  uniqueIdentifier?: string,
): SaveOutcome {
  const errors = validateChild(next, ctx.now);
  if (errors.length > 0) return { ok: false, errors };

  const data = next;
  const before = previous ?? {};
  const isNew = previous === undefined;
  const changedNow = () => changedKeys(before, data);
  const nowIso = new Date(ctx.now).toISOString();

  // Record#populate_subform_ids
  for (const value of Object.values(data)) {
    if (!Array.isArray(value) || !isJsonObject(value[0])) continue;
    for (const row of value) {
      if (isJsonObject(row) && !isPresent(row.unique_id)) row.unique_id = ctx.newId();
    }
  }
  // Historical#update_last_updated_at
  data.created_at ??= nowIso;
  data.last_updated_at = nowIso;
  // Ownable#update_associated
  let changes = changedNow();
  if (isNew || changes.has('assigned_user_names') || changes.has('owned_by')) {
    data.associated_user_names = associatedUserNames(data);
  }
  // Ownable#update_owned_by
  if (isPresent(data.owned_by) && (isNew || changes.has('owned_by'))) {
    const owner = typeof data.owned_by === 'string' ? ctx.findUser(data.owned_by) : undefined;
    if (owner === undefined) {
      data.owned_by = before.owned_by ?? null;
    } else {
      data.owned_by_full_name = owner.fullName;
      data.owned_by_agency_id = owner.agencyId;
      data.owned_by_groups = [...owner.groups];
      data.owned_by_location = owner.location;
    }
  }
  // Serviceable#update_implement_field
  updateImplementField(data);
  // Workflow#calculate_workflow
  changes = changedNow();
  const workflow = calculateWorkflow({
    data,
    changed: changes,
    useWorkflowServiceImplemented: data.module_id === cpModule,
  });
  if (workflow !== undefined) data.workflow = workflow;
  // Ownable#update_previously_owned_by (before_update)
  if (!isNew && changedNow().has('owned_by')) {
    data.previously_owned_by = before.owned_by ?? null;
    data.previously_owned_by_full_name = before.owned_by_full_name ?? null;
    data.previously_owned_by_agency = before.owned_by_agency_id ?? null;
    data.previously_owned_by_location = before.owned_by_location ?? null;
  }
  // Record#create_identification, Child#set_instance_id, Workflow#set_workflow_new (before_create)
  if (isNew) {
    const unique = uniqueIdentifier ?? ctx.newId();
    data.short_id ??= unique.slice(-7);
    if (!isTruthy(data.case_id)) data.case_id = unique;
    if (!isTruthy(data.case_id_display)) data.case_id_display = data.short_id;
    if (!isTruthy(data.workflow)) data.workflow = 'new';
  }
  const changed = [...changedKeys(before, data)].filter(
    (k) => k !== 'last_updated_at' && k !== 'last_updated_by',
  );
  return { ok: true, data, changed };
}

/** Child#validate_date_of_birth: a date whose year is not after the current year. */
function validateChild(data: JsonObject, now: number): ModelError[] {
  const dob = data.date_of_birth;
  if (!isPresent(dob)) return [];
  const year = typeof dob === 'string' ? Number(dob.slice(0, 4)) : Number.NaN;
  if (Number.isNaN(year) || year > new Date(now).getUTCFullYear()) {
    return [
      { field: 'date_of_birth', messages: ['Please enter a valid date of birth for this case record'] },
    ];
  }
  return [];
}

/** `([owned_by] + (assigned_user_names || [])).compact.uniq` */
export function associatedUserNames(data: JsonObject): JsonValue[] {
  const assigned = Array.isArray(data.assigned_user_names) ? data.assigned_user_names : [];
  const names: JsonValue[] = [];
  for (const name of [data.owned_by ?? null, ...assigned]) {
    if (name === null) continue;
    if (!names.some((existing) => deepEqual(existing, name))) names.push(name);
  }
  return names;
}

/** Historical#hash_diff: keys of `next` whose value is new or different. */
export function changedKeys(previous: JsonObject, next: JsonObject): Set<string> {
  const changed = new Set<string>();
  for (const [key, value] of Object.entries(next)) {
    if (!(key in previous) || !deepEqual(previous[key], value)) changed.add(key);
  }
  return changed;
}

function isTruthy(value: JsonValue | undefined): boolean {
  return value !== undefined && value !== null && value !== false;
}
