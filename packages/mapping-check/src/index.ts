export type { CheckMappingsInput } from './check.ts';
export { checkMappingsAgainstLive } from './check.ts';
export { renderMappingCheck } from './core/check-report.ts';
export type {
  CheckedTable,
  FindingKind,
  LookedUpIn,
  MappingCheckCounts,
  MappingCheckResult,
  NotChecked,
  RowCheck,
  RowFinding,
  TableCheck,
  WithoutRow,
} from './core/check-result.ts';
export { compareWithLive } from './core/compare.ts';
export type {
  CheckedSystem,
  LiveReference,
  OscarOrganization,
  PrimeroAgency,
  PrimeroProvince,
  PrimeroServiceOptions,
  Source,
  SourceError,
  SourceName,
} from './core/live-reference.ts';
export { oscarUnlistedTenants } from './core/live-reference.ts';
export type { OscarReferenceReader, PrimeroReferenceReader, ReadLiveOptions } from './live-sources.ts';
export { readLiveReference } from './live-sources.ts';
