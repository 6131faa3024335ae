export type { RequestRecord, UnknownRecord } from './json.ts';
export type { ListClientsOptions, OscarClient, OscarClientOptions, UpsertResult } from './oscar.client.ts';
export { createOscarClient, oscarDefaults, oscarErrorDetails } from './oscar.client.ts';
export type {
  CaseFilter,
  CasePage,
  CreateCaseOptions,
  CreatedCase,
  ExactCaseFilter,
  ListCasesOptions,
  PrimeroClient,
  PrimeroClientOptions,
} from './primero.client.ts';
export { createPrimeroClient, primeroDefaults, primeroErrorDetails } from './primero.client.ts';
export type { Limiter, LimiterOptions, LimiterStats } from './rate-limit.ts';
export { createLimiter } from './rate-limit.ts';
export type { UpstreamErrorCode, UpstreamErrorInit, UpstreamSystem } from './upstream-error.ts';
export { classifyStatus, parseRetryAfter, UpstreamError } from './upstream-error.ts';
export type {
  CallOptions,
  ClientCounters,
  ClientStats,
  ExchangeObservation,
  ExchangeObserver,
  FetchLike,
} from './upstream-http.ts';
export { maxRequestLineBytes } from './upstream-http.ts';
