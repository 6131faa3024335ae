export type { PollControl } from './admin.ts';
export { registerPollAdminRoutes } from './admin.ts';
export { adminEnv, minAdminTokenLength, registerAdminRoutes } from './admin-auth.ts';
export type { BrokerConnection } from './broker.ts';
export { connectBroker } from './broker.ts';
export type { ConfigOf, EnvSpec, EnvVar } from './config.ts';
export {
  ConfigError,
  defineEnv,
  describeConfig,
  env,
  loadConfig,
  loadConfigOrExit,
  maskUrlPassword,
} from './config.ts';
export type { Readiness, ReadinessCheck } from './health.ts';
export { registerHealthRoutes, startupReadiness } from './health.ts';
export type { Infrastructure } from './infrastructure.ts';
export { openInfrastructure } from './infrastructure.ts';
export type { Logger } from './logger.ts';
export { createLogger, redactedPaths } from './logger.ts';
export { loadMappingTables, loadMappingTablesOrExit } from './mapping-tables.loader.ts';
export type {
  BacklogReadings,
  ConsumerMetrics,
  DeadLetterMetrics,
  HandlingOutcome,
  PollerMetrics,
  PollMetrics,
  PollObservation,
  ReadOnScrape,
  RelayMetrics,
  WriterMetrics,
} from './metrics.ts';
export { noopMetrics } from './metrics.ts';
export { createDb, createPool, pingPostgres } from './postgres.ts';
export type {
  NoticeMetricOutcome,
  Registry,
  SyncStatusMetrics,
  SyncStatusReportOutcome,
  TargetedReadMetricOutcome,
  UpstreamExchange,
  WebhookMetrics,
} from './prometheus.ts';
export {
  createMetricsRegistry,
  pollerMetrics,
  registerMetricsRoute,
  syncStatusMetrics,
  upstreamMetrics,
  webhookMetrics,
  writerMetrics,
} from './prometheus.ts';
export {
  commonEnv,
  mappingsEnv,
  oscarEnv,
  partitionEnv,
  pollerEnv,
  primeroEnv,
  repositoryRoot,
  resolveFromRepository,
  webhookEnv,
  writerEnv,
} from './service-env.ts';
export type { Shutdown, ShutdownOptions, ShutdownStage } from './shutdown.ts';
export { installShutdown } from './shutdown.ts';
export type { Telemetry } from './telemetry.ts';
export { startTelemetry, telemetryEnv } from './telemetry.ts';
export type { RequiredServer } from './wait-for-server.ts';
export {
  connectionFailureReason,
  describeUnreachable,
  startupBackoff,
  startupRetryDelayMs,
  waitForServer,
} from './wait-for-server.ts';
