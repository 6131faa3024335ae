export { canonicalJson, fingerprintContent } from './canonical-json.ts';
export { CsvSyntaxError, parseCsv } from './csv.parser.ts';
export type { MappingErrorCode, MappingErrorInput, RecordKind } from './mapping-errors.ts';
export { isCodeLike, MappingConfigError, mappingDir, MappingError, quoteCode } from './mapping-errors.ts';
export type {
  AgencyOwner,
  CatalogueService,
  InboundService,
  MappingFileName,
  MappingTables,
  ProvinceOwner,
} from './mapping-tables.ts';
export {
  mappingFileNames,
  MappingManifest,
  parseMappingManifest,
  parseMappingTables,
} from './mapping-tables.ts';
export type { ParsedOscarClient } from './oscar-client.mapper.ts';
export { oscarClientToEvents, parseOscarClient, serviceDirection } from './oscar-client.mapper.ts';
export type {
  OscarLinkItem,
  OscarReferralOrganization,
  OscarReferralUpsert,
  OscarStatusUpdateItem,
} from './oscar-payload.builder.ts';
export { toOscarLinkItem, toOscarReferralUpserts, toOscarStatusUpdate } from './oscar-payload.builder.ts';
export type { OscarClientShape } from './oscar-records.schema.ts';
export { OscarClient, oscarClientShape, OscarService } from './oscar-records.schema.ts';
export type { OwnerInput } from './owner.policy.ts';
export { agencyUser, ownerFor, provinceUser } from './owner.policy.ts';
export type {
  CaseChangedContent,
  MappingFailure,
  OscarClientEvents,
  PrimeroCaseEvents,
  RecordEvents,
} from './primero-case.mapper.ts';
export { oscarReferralIdOf, primeroCaseToEvents } from './primero-case.mapper.ts';
export type { PlanPrimeroCaseWriteInput, PrimeroCaseWritePlan } from './primero-case-write.planner.ts';
export { planPrimeroCaseWrite, serviceRowName } from './primero-case-write.planner.ts';
export type {
  DecisionMatchRule,
  NoMatch,
  PlanPrimeroDecisionInput,
  PrimeroDecisionPlan,
} from './primero-decision.planner.ts';
export { matchDecisionService, planPrimeroDecision } from './primero-decision.planner.ts';
export { oscarValue, primeroOption } from './primero-options.ts';
export {
  PrimeroCase,
  primeroCaseFields,
  PrimeroReferral,
  PrimeroServiceRow,
} from './primero-records.schema.ts';
export type { PrimeroData, PrimeroRowData } from './record-diff.ts';
export { diffCase, sameValue } from './record-diff.ts';
export type { Result } from './record-parse.ts';
export { isIdLike } from './record-parse.ts';
export type { Lookup, ProvinceCode } from './transforms.ts';
export {
  agencyIdOf,
  calcAge,
  checkValue,
  cleanDateOfBirth,
  dateToOscar,
  displayName,
  firstSubtype,
  genderToOscar,
  genderToPrimero,
  inboundLocation,
  isIsoDate,
  organizationOf,
  oscarReferralStatusOf,
  oscarStrings,
  outboundServiceName,
  primeroReferralStatusOf,
  primeroServiceStatusOf,
  provinceCode,
  referralStateOfOscar,
  referralStateOfPrimero,
  riskLevelToOscar,
  riskLevelToPrimero,
  serviceDateTime,
  serviceStatusToPrimero,
} from './transforms.ts';
export { serviceRowNamespace, uuidv5 } from './uuid-v5.ts';
