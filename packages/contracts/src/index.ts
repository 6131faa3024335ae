export {
  CaseChanged,
  CaseChangedData,
  CaseIds,
  CaseService,
  Person,
  ReferralState,
  ServiceDirection,
} from './case-changed.ts';
export { EventMetadata, eventSchema, SourceSystem, Subject } from './envelope.ts';
export { jsonSchemas } from './json-schemas.ts';
export { ReferralDecision, ReferralDecisionData, ReferralRef } from './referral-decision.ts';
export type { ParseResult, Routes, RoutingKey } from './routes.ts';
export { isRoutingKey, parseEvent, routes, routingKeys } from './routes.ts';
