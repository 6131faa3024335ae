import { z } from 'zod';

import { CaseChanged } from './case-changed.ts';
import { EventMetadata } from './envelope.ts';
import { ReferralDecision } from './referral-decision.ts';

/** JSON Schema (draft 2020-12) of each contract, keyed by file name stem. */
export function jsonSchemas(): Record<string, unknown> {
  return {
    'event-metadata.v1': z.toJSONSchema(EventMetadata),
    'case-changed.v1': z.toJSONSchema(CaseChanged),
    'referral-decision.v1': z.toJSONSchema(ReferralDecision),
  };
}
