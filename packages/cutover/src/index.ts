export type { CutoverReport, Group } from './cutover.report.ts';
export {
  attentionMeaning,
  changeMeaning,
  renderCutoverReport,
  summarizeFirstSync,
} from './cutover.report.ts';
export type { ReportInput, ReportOutcome } from './cutover.run.ts';
export { buildCutoverReport, oscarWriterSchema, primeFromOscar } from './cutover.run.ts';
export type {
  Attention,
  AttentionKind,
  ChangeKind,
  FirstSyncInput,
  FirstSyncPlan,
  PlannedWrite,
  SystemsSnapshot,
} from './first-sync.planner.ts';
export { classify, planFirstSync, routes } from './first-sync.planner.ts';
export { primeOscarWriter, readOscarWriterMemory } from './oscar-writer-memory.repository.ts';
export type { KnownOscarState } from './oscar-writer-memory.ts';
export { decisionKey, knownOscarState, nothingKnown } from './oscar-writer-memory.ts';
export { readSystems } from './systems.reader.ts';
