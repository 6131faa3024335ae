import type { Referral } from './model.ts';
import { levelsOfRisk, referralStatusesValid } from './model.ts';
import { humanizeAttribute, isBlank } from './rails-params.ts';

/** Rails `errors.messages`: attribute → messages, in the order the model declares its validations. */
export type ValidationErrors = Record<string, string[]>;

const presenceAttributes = [
  ['client_name', 'clientName'],
  ['client_global_id', 'clientGlobalId'],
  ['date_of_referral', 'dateOfReferral'],
  ['referred_from', 'referredFrom'],
  ['referred_to', 'referredTo'],
  ['referral_reason', 'referralReason'],
  ['name_of_referee', 'nameOfReferee'],
  ['referral_phone', 'referralPhone'],
] as const;

/**
 * OSCaR's `Referral` validations (docs/upstream/oscar.md#referral-validation). Returns `{}` when valid.
 *
 * @example validateReferral({ ...referral, levelOfRisk: 'no_action' }) // { level_of_risk: ['is not included in the list'] }
 */
export function validateReferral(referral: Referral): ValidationErrors {
  const errors: ValidationErrors = {};
  const add = (attribute: string, message: string) => {
    (errors[attribute] ??= []).push(message);
  };
  for (const [attribute, field] of presenceAttributes) {
    if (isBlank(referral[field])) add(attribute, "can't be blank");
  }
  if (isBlank(referral.levelOfRisk)) add('level_of_risk', "can't be blank");
  if (!(levelsOfRisk as readonly (string | null)[]).includes(referral.levelOfRisk)) {
    add('level_of_risk', 'is not included in the list');
  }
  if (isBlank(referral.referralStatus)) add('referral_status', "can't be blank");
  if (!(referralStatusesValid as readonly (string | null)[]).includes(referral.referralStatus)) {
    add('referral_status', 'is not included in the list');
  }
  if (referral.services.length === 0) add('services', "can't be blank");
  if (!isBlank(referral.slug) && referral.refereeId === null) add('referee_id', "can't be blank");
  return errors;
}

/** Rails `errors.full_messages`: `Level of risk can't be blank`. */
export function fullMessages(errors: ValidationErrors): string[] {
  return Object.entries(errors).flatMap(([attribute, messages]) =>
    messages.map((message) => `${humanizeAttribute(attribute)} ${message}`),
  );
}

export function hasErrors(errors: ValidationErrors): boolean {
  return Object.keys(errors).length > 0;
}
