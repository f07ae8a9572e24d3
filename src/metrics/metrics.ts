import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MODES, RULE_IDS, type Mode, type RuleId } from '../policy/types.js';
import { registerCacheCollector, type CacheStatsProvider } from './cache-collector.js';
import { MetricsError } from './errors.js';
import { createLabelLimiter } from './label-limiter.js';
import { REGISTRY_OUTCOMES, type RegistryOutcome } from './registry-outcome.js';

export const ADMISSION_DECISIONS = ['allow', 'warn', 'deny', 'error'] as const;
/** What the webhook answered; `error` is a review it could not judge (bad request, failure inside). */
export type AdmissionDecision = (typeof ADMISSION_DECISIONS)[number];

/** Modes a violation can carry: a rule in mode `off` is not evaluated, so it never violates. */
export const VIOLATION_MODES = MODES.filter((mode): mode is Exclude<Mode, 'off'> => mode !== 'off');
export type ViolationMode = Exclude<Mode, 'off'>;

/** What onRegistryError did with a review whose images could not be read. */
export const REGISTRY_FAILURE_ACTIONS = ['allow', 'deny'] as const;
export type RegistryFailureAction = (typeof REGISTRY_FAILURE_ACTIONS)[number];

export interface MetricsOptions {
  /** Prepended to every metric name, process metrics included. Default `slimguard_`. */
  prefix?: string;
  /** prom-client's process and Node.js runtime metrics. Default true. */
  collectProcessMetrics?: boolean;
  /** Labels added to every series, e.g. `{ cluster: 'prod' }`. Must not reuse a label name of a metric. */
  defaultLabels?: Record<string, string>;
  /** The `version` label of `slimguard_build_info`. Default `unknown`. */
  version?: string;
  /** Registry hosts from the configuration; they always get their own `registry` label value. */
  knownRegistries?: Iterable<string>;
  /** Distinct other registry hosts given their own label before they become `other`. Default 50. */
  registryLabelLimit?: number;
}

export interface AdmissionEvent {
  /** The reviewed object's kind (`Pod`, `Deployment`, ...); `''` when the review could not be decoded. */
  kind: string;
  /** CREATE, UPDATE, DELETE or CONNECT; `''` when unknown. */
  operation: string;
  decision: AdmissionDecision;
  durationSeconds: number;
  dryRun: boolean;
}

export interface ViolationEvent {
  rule: RuleId;
  mode: ViolationMode;
}

export interface RegistryRequestEvent {
  /** Normalized registry host[:port], e.g. `docker.io`, `127.0.0.1:5000`. */
  registry: string;
  outcome: RegistryOutcome;
  durationSeconds: number;
}

export interface PolicyInfo {
  /** The policy's metadata.name. */
  name: string;
  /** Short sha256 of the policy, see policyHash(). */
  hash: string;
}

export interface Metrics {
  /** This instance's own registry (never prom-client's global one). */
  readonly registry: Registry;
  /** The Content-Type header for metricsText(). */
  readonly contentType: string;
  /** The Prometheus text exposition of every metric. */
  metricsText(): Promise<string>;
  recordAdmission(event: AdmissionEvent): void;
  /** Counts a review as in flight until the returned function is called (calling it again does nothing). */
  trackAdmissionInFlight(): () => void;
  recordViolation(event: ViolationEvent): void;
  recordRegistryRequest(event: RegistryRequestEvent): void;
  recordRegistryFailure(action: RegistryFailureAction): void;
  /** Where the image cache metrics are read from at scrape time; `undefined` stops reading. */
  setCacheStatsProvider(provider: CacheStatsProvider | undefined): void;
  recordPolicyReload(ok: boolean): void;
  /** Marks this policy as the loaded one (and no other). */
  setPolicyInfo(info: PolicyInfo): void;
  recordTlsReload(ok: boolean): void;
  /** The end of validity of the certificate being served, or of the CA that signs it (bootstrap mode). */
  setCertificateExpiry(certificate: CertificateKind, notAfter: Date): void;
}

export const CERTIFICATE_KINDS = ['serving', 'ca'] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

const DEFAULT_PREFIX = 'slimguard_';
const DEFAULT_REGISTRY_LABEL_LIMIT = 50;
// Kinds come from the webhook's rules, which the operator controls, but a chart value can add
// custom resources: a generous cap costs nothing and keeps a misconfiguration from growing series.
const KIND_LABEL_LIMIT = 30;
const OPERATIONS: ReadonlySet<string> = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

// The apiserver waits at most the webhook's timeoutSeconds (default 10, max 30); most reviews are
// answered from the cache in about a millisecond, cold ones take registry round trips.
const ADMISSION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
// One registry HTTP request, token exchanges and retries included by the caller's choice of timing.
const REGISTRY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const METRIC_NAME_PREFIX = /^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// host[:port] or [ipv6][:port], as distribution/reference writes a domain. Anything else is not a
// registry host we could have contacted, so it gets no label of its own.
const REGISTRY_HOST = /^(?:[a-z0-9.-]{1,253}|\[[0-9a-f:.]{2,45}\])(?::[0-9]{1,5})?$/;

/**
 * Creates the metrics of one slimguard process (or one test): a registry of its own and typed
 * recorders that only accept bounded label values, so no caller can turn an image reference,
 * namespace or attacker-chosen host into a new time series.
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  if (!METRIC_NAME_PREFIX.test(prefix)) {
    throw new MetricsError('INVALID_OPTION', `metrics prefix "${prefix}" is not a valid start of a Prometheus metric name`);
  }
  const registryLabelLimit = options.registryLabelLimit ?? DEFAULT_REGISTRY_LABEL_LIMIT;
  if (!Number.isInteger(registryLabelLimit) || registryLabelLimit < 0) {
    throw new MetricsError('INVALID_OPTION', `registryLabelLimit must be a non-negative integer, got ${registryLabelLimit}`);
  }

  const registry = new Registry();
  const registers = [registry];

  const admissionRequests = new Counter({
    name: `${prefix}admission_requests_total`,
    help: 'AdmissionReviews answered, by reviewed kind, operation and decision.',
    labelNames: ['kind', 'operation', 'decision'] as const,
    registers,
  });
  const admissionDryRunRequests = new Counter({
    name: `${prefix}admission_dry_run_requests_total`,
    help: 'AdmissionReviews of dry-run requests (also counted in admission_requests_total), by decision.',
    labelNames: ['decision'] as const,
    registers,
  });
  const admissionDuration = new Histogram({
    name: `${prefix}admission_duration_seconds`,
    help: 'Time to answer an AdmissionReview, by reviewed kind and decision.',
    labelNames: ['kind', 'decision'] as const,
    buckets: ADMISSION_BUCKETS,
    registers,
  });
  const admissionInFlight = new Gauge({
    name: `${prefix}admission_inflight`,
    help: 'AdmissionReviews being judged right now.',
    registers,
  });
  const violations = new Counter({
    name: `${prefix}violations_total`,
    help: 'Rule violations found in admitted or rejected images, by rule ID and the mode it was applied in.',
    labelNames: ['rule', 'mode'] as const,
    registers,
  });
  const registryRequests = new Counter({
    name: `${prefix}registry_requests_total`,
    help: `Registry HTTP requests by registry host and outcome (hosts past the label limit count as "other").`,
    labelNames: ['registry', 'outcome'] as const,
    registers,
  });
  const registryRequestDuration = new Histogram({
    name: `${prefix}registry_request_duration_seconds`,
    help: 'Duration of registry HTTP requests by registry host and outcome.',
    labelNames: ['registry', 'outcome'] as const,
    buckets: REGISTRY_BUCKETS,
    registers,
  });
  const registryFailures = new Counter({
    name: `${prefix}registry_failures_total`,
    help: 'Reviews whose images could not be read, by what onRegistryError did (allow or deny).',
    labelNames: ['action'] as const,
    registers,
  });
  const policyReloads = new Counter({
    name: `${prefix}policy_reloads_total`,
    help: 'Policy file reloads by result.',
    labelNames: ['result'] as const,
    registers,
  });
  const policyReloadErrors = new Counter({
    name: `${prefix}policy_reload_errors_total`,
    help: 'Policy file reloads that failed; the previous policy stays in force.',
    registers,
  });
  const policyInfo = new Gauge({
    name: `${prefix}policy_info`,
    help: 'The policy in force: 1 for its name and short sha256.',
    labelNames: ['name', 'hash'] as const,
    registers,
  });
  const tlsReloads = new Counter({
    name: `${prefix}tls_reloads_total`,
    help: 'TLS certificate and key reloads by result.',
    labelNames: ['result'] as const,
    registers,
  });
  const certificateExpiry = new Gauge({
    name: `${prefix}certificate_expiry_timestamp_seconds`,
    help: 'When the bootstrapped serving certificate, or its CA, expires (Unix time); alert well before time() reaches it.',
    labelNames: ['certificate'] as const,
    registers,
  });
  const buildInfo = new Gauge({
    name: `${prefix}build_info`,
    help: 'Always 1; the labels say which slimguard and Node.js versions run.',
    labelNames: ['version', 'node_version'] as const,
    registers,
  });
  buildInfo.set({ version: options.version ?? 'unknown', node_version: process.version }, 1);

  const cache = registerCacheCollector(registry, prefix);

  // Series that alerts and dashboards rely on exist from the start at 0, so that rate() and
  // increase() see the first event instead of a series appearing out of nowhere.
  for (const rule of RULE_IDS) for (const mode of VIOLATION_MODES) violations.inc({ rule, mode }, 0);
  for (const action of REGISTRY_FAILURE_ACTIONS) registryFailures.inc({ action }, 0);
  for (const result of ['success', 'error']) {
    policyReloads.inc({ result }, 0);
    tlsReloads.inc({ result }, 0);
  }

  if (options.collectProcessMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix });
    // prom-client names these three gauges `*_total`, which `promtool check metrics` rejects
    // (only counters may end in _total). The same numbers are sum() of the per-type gauges
    // nodejs_active_handles, nodejs_active_requests and nodejs_active_resources, which stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      registry.removeSingleMetric(prefix + name);
    }
  }

  if (options.defaultLabels !== undefined) {
    const usedLabelNames = new Set(registry.getMetricsAsArray().flatMap((metric) => labelNamesOf(metric)));
    for (const name of Object.keys(options.defaultLabels)) {
      if (!LABEL_NAME.test(name) || name.startsWith('__')) {
        throw new MetricsError('INVALID_OPTION', `default label "${name}" is not a valid Prometheus label name`);
      }
      if (usedLabelNames.has(name) || name === 'le' || name === 'quantile') {
        throw new MetricsError('INVALID_OPTION', `default label "${name}" is already a label of a slimguard metric`);
      }
    }
    registry.setDefaultLabels(options.defaultLabels);
  }

  const kindLabels = createLabelLimiter({ limit: KIND_LABEL_LIMIT, overflowValue: 'other' });
  // The registry label is the one an attacker can drive: a pod spec may name any host, and each
  // new host would be a new series (and 12 more histogram series) kept forever, here and in
  // Prometheus. Configured registries always keep their own label; beyond the limit of others,
  // the rest are counted together as registry="other".
  const registryLabels = createLabelLimiter({
    limit: registryLabelLimit,
    reserved: options.knownRegistries ?? [],
    overflowValue: 'other',
    normalize: (host) => host.toLowerCase(),
  });
  const registryLabel = (host: string): string => {
    const normalized = host.toLowerCase();
    return REGISTRY_HOST.test(normalized) ? registryLabels.label(normalized) : 'other';
  };

  return {
    registry,
    contentType: registry.contentType,
    metricsText: () => registry.metrics(),

    recordAdmission(event) {
      const decision = oneOf(ADMISSION_DECISIONS, event.decision, 'decision');
      const seconds = duration(event.durationSeconds);
      const kind = event.kind === '' ? 'unknown' : kindLabels.label(event.kind);
      const operation = event.operation === '' ? 'unknown' : OPERATIONS.has(event.operation) ? event.operation : 'other';
      admissionRequests.inc({ kind, operation, decision });
      admissionDuration.observe({ kind, decision }, seconds);
      if (event.dryRun) admissionDryRunRequests.inc({ decision });
    },

    trackAdmissionInFlight() {
      admissionInFlight.inc();
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        admissionInFlight.dec();
      };
    },

    recordViolation(event) {
      const rule = oneOf(RULE_IDS, event.rule, 'rule');
      const mode = oneOf(VIOLATION_MODES, event.mode, 'mode');
      violations.inc({ rule, mode });
    },

    recordRegistryRequest(event) {
      const outcome = oneOf(REGISTRY_OUTCOMES, event.outcome, 'outcome');
      const seconds = duration(event.durationSeconds);
      const labels = { registry: registryLabel(event.registry), outcome };
      registryRequests.inc(labels);
      registryRequestDuration.observe(labels, seconds);
    },

    recordRegistryFailure(action) {
      registryFailures.inc({ action: oneOf(REGISTRY_FAILURE_ACTIONS, action, 'action') });
    },

    setCacheStatsProvider(provider) {
      cache.setProvider(provider);
    },

    recordPolicyReload(ok) {
      policyReloads.inc({ result: ok ? 'success' : 'error' });
      if (!ok) policyReloadErrors.inc();
    },

    setPolicyInfo(info) {
      if (typeof info.name !== 'string' || info.name === '' || typeof info.hash !== 'string' || info.hash === '') {
        throw new MetricsError('INVALID_VALUE', 'policy info needs a non-empty name and hash');
      }
      // Only the policy in force is 1; the previous one's series disappears rather than lingering at 0.
      policyInfo.reset();
      policyInfo.set({ name: info.name, hash: info.hash }, 1);
    },

    recordTlsReload(ok) {
      tlsReloads.inc({ result: ok ? 'success' : 'error' });
    },

    setCertificateExpiry(certificate, notAfter) {
      const seconds = notAfter.getTime() / 1000;
      if (!Number.isFinite(seconds)) throw new MetricsError('INVALID_VALUE', 'a certificate expiry must be a valid date');
      certificateExpiry.set({ certificate: oneOf(CERTIFICATE_KINDS, certificate, 'certificate') }, seconds);
    },
  };
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, label: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  // The value may be anything (an image reference passed by mistake): say it is wrong, not what it is.
  throw new MetricsError(
    'UNKNOWN_LABEL_VALUE',
    `unknown ${label} label value (expected one of ${allowed.join(', ')})`,
  );
}

function duration(seconds: number): number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new MetricsError('INVALID_VALUE', `a duration must be a finite number of seconds >= 0, got ${String(seconds)}`);
  }
  return seconds;
}

function labelNamesOf(metric: unknown): string[] {
  const names = (metric as { labelNames?: unknown }).labelNames;
  return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
}
