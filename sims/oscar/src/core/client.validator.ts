import { genders } from './model.ts';
import { isBlank } from './rails-params.ts';
import type { ValidationErrors } from './referral.validator.ts';

/** The client fields the upsert update path can break (docs/upstream/oscar.md §2.2 step 2c). */
export interface ClientValidationInput {
  gender: string | null;
  caseWorkerCount: number;
}

/**
 * The `Client` validations an upsert update can trip: gender present and in the list, at least one assigned
 * case worker (`user_ids`).
 *
 * @example validateClientUpdate({ gender: '', caseWorkerCount: 1 }) // { gender: ["can't be blank"] }
 */
export function validateClientUpdate(input: ClientValidationInput): ValidationErrors {
  const errors: ValidationErrors = {};
  if (isBlank(input.gender)) {
    errors.gender = ["can't be blank"];
  } else if (!(genders as readonly (string | null)[]).includes(input.gender)) {
    errors.gender = ['is not included in the list'];
  }
  if (input.caseWorkerCount === 0) errors.user_ids = ["can't be blank"];
  return errors;
}
