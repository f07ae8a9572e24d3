export {
  ADMISSION_DECISIONS,
  CERTIFICATE_KINDS,
  createMetrics,
  REGISTRY_FAILURE_ACTIONS,
  VIOLATION_MODES,
  type AdmissionDecision,
  type AdmissionEvent,
  type CertificateKind,
  type Metrics,
  type MetricsOptions,
  type PolicyInfo,
  type RegistryFailureAction,
  type RegistryRequestEvent,
  type ViolationEvent,
  type ViolationMode,
} from './metrics.js';
export type { CacheStatsProvider, CacheStatsSnapshot } from './cache-collector.js';
export { createLabelLimiter, type LabelLimiter, type LabelLimiterOptions } from './label-limiter.js';
export { MetricsError, type MetricsErrorCode } from './errors.js';
export { policyHash } from './policy-hash.js';
export { REGISTRY_OUTCOMES, registryOutcomeOfError, type RegistryOutcome } from './registry-outcome.js';
