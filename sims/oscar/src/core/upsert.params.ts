import type { Scalar } from './rails-params.ts';
import { isRecord, isScalar } from './rails-params.ts';

/** The scalar keys `params.require(:organization).permit(...)` keeps (docs/upstream/oscar.md#upsert-params). */
export const upsertScalarKeys = [
  'global_id',
  'external_id',
  'external_id_display',
  'mosvy_number',
  'given_name',
  'family_name',
  'gender',
  'date_of_birth',
  'location_current_village_code',
  'address_current_village_code',
  'reason_for_referral',
  'reason_for_exiting',
  'organization_id',
  'organization_name',
  'external_case_worker_name',
  'external_case_worker_id',
  'external_case_worker_mobile',
  'external_case_worker_email',
  'level_of_risk',
  'is_referred',
  'referral_status',
] as const;

export type UpsertScalarKey = (typeof upsertScalarKeys)[number];

export interface UpsertParams {
  scalars: Partial<Record<UpsertScalarKey, Scalar>>;
  /** `services: [:uuid, :name]`: only hashes survive, with only those two scalar keys. */
  services: { uuid?: Scalar; name?: Scalar }[] | undefined;
}

/**
 * Strong parameters for the upsert body. Returns null when `organization` is missing or not a hash. Unknown keys
 * (`resource`, `transaction_id`, `date_of_referral`, local names, …) and non-scalar values are dropped.
 */
export function permitUpsert(body: unknown): UpsertParams | null {
  if (!isRecord(body)) return null;
  const organization = body.organization;
  if (!isRecord(organization)) return null;
  const scalars: Partial<Record<UpsertScalarKey, Scalar>> = {};
  for (const key of upsertScalarKeys) {
    const value = organization[key];
    if (value !== undefined && isScalar(value)) scalars[key] = value;
  }
  let services: UpsertParams['services'];
  if (Array.isArray(organization.services)) {
    services = organization.services.filter(isRecord).map((item) => {
      const service: { uuid?: Scalar; name?: Scalar } = {};
      if (item.uuid !== undefined && isScalar(item.uuid)) service.uuid = item.uuid;
      if (item.name !== undefined && isScalar(item.name)) service.name = item.name;
      return service;
    });
  }
  return { scalars, services };
}
