import { changedKeys, saveCase, updateCase } from './core/case-lifecycle.ts';
import type { JsonObject } from './core/json.ts';
import { cloneJson, isJsonObject } from './core/json.ts';
import { isPresent } from './core/present.ts';
import { consentGiven, referralAction } from './core/referral-machine.ts';
import { validationError } from './http/errors.ts';
import type { SimContext } from './sim-context.ts';
import { saveContext } from './sim-context.ts';
import type { StoredCase } from './state/case-store.ts';
import type { User } from './state/directory.ts';
import type { Referral } from './state/referral-store.ts';

/**
 * Referral side effects on the case (Referral model and ReferralsController#refer, v2.5.7). Each
 * function returns the top-level keys changed by the case's last save, which the response embeds as
 * `record` (plus `last_updated_at`).
 */

/** The keys `params.require(:data).permit(…)` lets through for a new referral. */
export interface ReferralInput {
  readonly transitioned_to?: string | null;
  readonly transitioned_to_remote?: string | null;
  readonly transitioned_to_agency?: string | null;
  readonly service?: string | null;
  readonly service_record_id?: string | null;
  readonly remote?: boolean;
  readonly type_of_export?: string | null;
  readonly notes?: string | null;
  readonly consent_overridden?: boolean;
}

/** Strong params: scalar values of the permitted keys, cast like the transitions columns. */
export function permitReferralInput(data: Record<string, unknown>): ReferralInput {
  const text = (key: string): string | null | undefined => {
    const value = data[key];
    if (value === undefined) return undefined;
    if (value === null) return null;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    return undefined;
  };
  const flag = (key: string): boolean | undefined => {
    const value = data[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (typeof value === 'number') return value !== 0;
    if (typeof value === 'string')
      return !['', '0', 'f', 'false', 'off', 'F', 'FALSE', 'OFF'].includes(value);
    return undefined;
  };
  const input: Record<string, string | boolean | null> = {};
  for (const key of [
    'transitioned_to',
    'transitioned_to_remote',
    'transitioned_to_agency',
    'service',
    'service_record_id',
    'type_of_export',
    'notes',
  ]) {
    const value = text(key);
    if (value !== undefined) input[key] = value;
  }
  for (const key of ['remote', 'consent_overridden']) {
    const value = flag(key);
    if (value !== undefined) input[key] = value;
  }
  return input;
}

/**
 * ReferralsController#refer: stamps and saves the case, then validates and creates the referral. The
 * first save happens before validation, so a refused referral still bumps the case's `last_updated_at`.
 */
export function refer(
  ctx: SimContext,
  user: User,
  stored: StoredCase,
  input: ReferralInput,
  resource: string,
): { referral: Referral; changed: readonly string[] } {
  const first = updateCase(stored.data, {}, saveContext(ctx, user));
  if (!first.ok) throw validationError(resource, first.errors);
  ctx.cases.update(stored, first.data);
  ctx.webhooks.enqueue({ recordId: stored.id, action: 'update' });
  let changed = first.changed;

  const remote = input.remote ?? false;
  const transitionedTo = input.transitioned_to ?? null;
  const errors = new Map<string, string[]>();
  const addError = (field: string, message: string) =>
    errors.set(field, [...(errors.get(field) ?? []), message]);
  if (!remote && !isPresent(transitionedTo)) addError('transitioned_to', "can't be blank");
  if (!consentGiven(stored.data) && input.consent_overridden !== true)
    addError('consent', 'transition.errors.consent');
  if (!remote && isPresent(transitionedTo) && !canReceive(ctx, user, transitionedTo ?? '')) {
    addError('transitioned_to', 'transition.errors.to_user_can_receive');
  }
  if (errors.size > 0) {
    throw validationError(
      resource,
      [...errors].map(([field, messages]) => ({ field, messages })),
    );
  }

  const nowIso = new Date(ctx.now()).toISOString();
  const referral: Referral = {
    id: ctx.newId(),
    type: 'Referral',
    status: 'in_progress',
    record_id: stored.id,
    record_type: 'Child',
    transitioned_to: transitionedTo,
    transitioned_to_remote: input.transitioned_to_remote ?? null,
    transitioned_to_agency: input.transitioned_to_agency ?? null,
    rejected_reason: null,
    notes: input.notes ?? null,
    transitioned_by: user.userName,
    service: input.service ?? null,
    service_record_id: input.service_record_id ?? null,
    remote,
    type_of_export: input.type_of_export ?? null,
    consent_overridden: input.consent_overridden ?? false,
    consent_individual_transfer: false,
    created_at: nowIso,
    responded_at: null,
    rejection_note: null,
  };

  // Referral#perform
  const next = cloneJson(stored.data);
  const row = serviceRow(next, referral.service_record_id);
  if (row !== undefined) row.service_status_referred = true;
  if (!remote && transitionedTo !== null && ctx.directory.findExact(transitionedTo) !== undefined) {
    const assigned = Array.isArray(next.assigned_user_names) ? next.assigned_user_names : [];
    if (!assigned.includes(transitionedTo)) next.assigned_user_names = [...assigned, transitionedTo];
  }
  next.last_updated_by = referral.transitioned_by;
  const second = saveIfChanged(ctx, user, stored, next);
  if (second !== undefined) changed = second;
  ctx.referrals.add(referral);
  return { referral, changed };
}

/**
 * Referral#process! (PATCH): accept, reject or done, else nothing. Accept does not save the case
 * (its `last_updated_at` stays); reject and done stamp and save it.
 */
export function processReferral(
  ctx: SimContext,
  user: User,
  referral: Referral,
  data: Record<string, unknown>,
  resource: string,
): readonly string[] {
  const action = referralAction(referral.status, data.status);
  if (action === undefined) return [];
  const nowIso = new Date(ctx.now()).toISOString();
  if (action === 'accept') {
    referral.status = 'accepted';
    referral.responded_at = nowIso;
    return [];
  }
  const stored = ctx.cases.get(referral.record_id);
  if (stored === undefined) return [];
  const next = cloneJson(stored.data);
  let rejectionNote: string | null = null;
  if (action === 'done') {
    const row = serviceRow(next, referral.service_record_id);
    if (row !== undefined) {
      if (!isPresent(row.service_implemented_day_time)) row.service_implemented_day_time = nowIso;
      row.service_implemented = 'implemented';
    }
    const note = data.rejection_note;
    if (typeof note === 'string' && isPresent(note)) {
      rejectionNote = note;
      if (row !== undefined) row.note_on_referral_from_provider = note;
    }
  }
  removeAssignedUser(ctx, referral, next);
  const changed = saveStamped(ctx, user, stored, next, resource);
  if (action === 'reject') {
    referral.status = 'rejected';
    referral.rejected_reason = typeof data.rejected_reason === 'string' ? data.rejected_reason : null;
    referral.responded_at = nowIso;
  } else {
    referral.status = 'done';
    if (rejectionNote !== null) referral.rejection_note = rejectionNote;
  }
  return changed;
}

/** Referral#revoke! (DELETE): from any status; stamps and saves the case. */
export function revokeReferral(
  ctx: SimContext,
  user: User,
  referral: Referral,
  resource: string,
): readonly string[] {
  const stored = ctx.cases.get(referral.record_id);
  let changed: readonly string[] = [];
  if (stored !== undefined) {
    const next = cloneJson(stored.data);
    removeAssignedUser(ctx, referral, next);
    changed = saveStamped(ctx, user, stored, next, resource);
  }
  referral.status = 'revoked';
  return changed;
}

/** UserTransitionService#can_receive?: an enabled user other than the sender whose role receives referrals. */
function canReceive(ctx: SimContext, sender: User, userName: string): boolean {
  const recipient = ctx.directory.findExact(userName);
  if (recipient === undefined || recipient.disabled || recipient.userName === sender.userName) return false;
  return recipient.roleId !== 'role-integration';
}

/** Transition#remove_assigned_user: unless another in-progress or accepted referral goes to the same user. */
function removeAssignedUser(ctx: SimContext, referral: Referral, data: JsonObject): void {
  const others = ctx.referrals
    .forCase(referral.record_id)
    .some(
      (other) =>
        other.id !== referral.id &&
        other.transitioned_to === referral.transitioned_to &&
        (other.status === 'in_progress' || other.status === 'accepted'),
    );
  if (others || !Array.isArray(data.assigned_user_names)) return;
  data.assigned_user_names = data.assigned_user_names.filter((name) => name !== referral.transitioned_to);
}

function serviceRow(data: JsonObject, uniqueId: string | null): JsonObject | undefined {
  if (uniqueId === null || uniqueId === '') return undefined;
  const rows = data.services_section;
  if (!Array.isArray(rows)) return undefined;
  return rows.filter(isJsonObject).find((row) => row.unique_id === uniqueId);
}

/** `record.save! if record.has_changes_to_save?` */
function saveIfChanged(
  ctx: SimContext,
  user: User,
  stored: StoredCase,
  next: JsonObject,
): readonly string[] | undefined {
  if (changedKeys(stored.data, next).size === 0) return undefined;
  const outcome = saveCase(stored.data, next, saveContext(ctx, user));
  if (!outcome.ok) return undefined;
  ctx.cases.update(stored, outcome.data);
  ctx.webhooks.enqueue({ recordId: stored.id, action: 'update' });
  return outcome.changed;
}

/** `record.update_last_updated_by(user); record.save!` */
function saveStamped(
  ctx: SimContext,
  user: User,
  stored: StoredCase,
  next: JsonObject,
  resource: string,
): readonly string[] {
  next.last_updated_by = user.userName;
  const outcome = saveCase(stored.data, next, saveContext(ctx, user));
  if (!outcome.ok) throw validationError(resource, outcome.errors);
  ctx.cases.update(stored, outcome.data);
  ctx.webhooks.enqueue({ recordId: stored.id, action: 'update' });
  return outcome.changed;
}
