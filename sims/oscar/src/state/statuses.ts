import type { Referral } from '../core/model.ts';
import { RailsCrash } from '../core/rails-crash.ts';
import { castInteger, castString, isRecord, isScalar } from '../core/rails-params.ts';
import { fullMessages, hasErrors, validateReferral } from '../core/referral.validator.ts';
import type { Store } from './store.ts';
import { ownerTenant, updateReferral } from './store.ts';
import type { Outcome } from './upsert.ts';
import { recordError, recordSaved, statusMustBe } from './upsert.ts';

/**
 * PUT /api/v1/organizations/referrals/update_statuses (docs/upstream/oscar.md §2.4). Items are applied one at a time with
 * no transaction: the first bad item stops processing with a 422 and earlier items stay saved. A missing or
 * empty `data` raises (500).
 */
export function updateStatuses(store: Store, body: unknown): Outcome {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data) || data.length === 0) {
    throw new RailsCrash(
      "NoMethodError: undefined method `each' for nil:NilClass (update_statuses without data)",
    );
  }
  for (const item of data) {
    if (!isRecord(item)) throw new RailsCrash('NoMethodError: update_statuses item is not a hash');
    const globalId = isScalar(item.client_global_id) ? castString(item.client_global_id) : null;
    const owner = globalId === null ? undefined : ownerTenant(store, globalId);
    if (!owner) return failure('ActiveRecord::RecordNotFound');

    const rawId = isScalar(item.referral_id) ? item.referral_id : null;
    const referral = findReferral(owner.tenant.referrals, rawId);
    if (!referral) {
      return failure(
        rawId === null || rawId === ''
          ? "Couldn't find Referral without an ID"
          : `Couldn't find Referral with 'id'=${String(rawId)}`,
      );
    }

    const status = isScalar(item.referral_status) ? castString(item.referral_status) : null;
    const errors = validateReferral({ ...referral, referralStatus: status });
    if (hasErrors(errors)) return failure(`${fullMessages(errors).join('. ')}. ${statusMustBe}`);
    updateReferral(store, owner.tenant, referral, { referralStatus: status });
  }
  return { status: 200, body: { message: recordSaved } };
}

/** `Referral.find(id)`: the id is cast to an integer (`'2214'` → 2214, `'abc'` → 0). */
function findReferral(
  referrals: ReadonlyMap<number, Referral>,
  rawId: string | number | boolean | null,
): Referral | undefined {
  const id = castInteger(rawId);
  return id === null ? undefined : referrals.get(id);
}

function failure(error: string): Outcome {
  return { status: 422, body: { error, message: recordError } };
}
