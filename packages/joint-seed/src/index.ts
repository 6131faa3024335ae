export type { ExpectedFirstSync } from './expectations.ts';
export { expectedFirstSync } from './expectations.ts';
export {
  legacyCaseRecord,
  legacyDecision,
  LegacyJobError,
  legacyOwner,
  legacyReferralUpsert,
  legacyRow,
} from './legacy-job.ts';
export type { JointWorldPlan, LeftoverKind, PlanOptions, Story, StoryKind, Timeline } from './plan.ts';
export { leftoverFixedBySync, planJointWorld, plantedLeftovers, storyCounts, storyMix } from './plan.ts';
export type { JointSeedOptions, JointSeedSummary, SeededChild } from './seed-joint.ts';
export { seedJointWorld } from './seed-joint.ts';
export { defaultMappingsDir, loadMappingTablesSync } from './tables.ts';
export type { Injectable, SimTransport } from './transport.ts';
export { httpTransport, injectTransport } from './transport.ts';
