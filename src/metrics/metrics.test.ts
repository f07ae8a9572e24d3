import { register as globalRegister } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseSamples, sampleValue, samplesOf } from '../../test/metrics/exposition.js';
import type { RuleId } from '../policy/types.js';
import { MetricsError } from './errors.js';
import { createMetrics, type MetricsOptions, type ViolationMode } from './metrics.js';

function quiet(options: MetricsOptions = {}) {
  return createMetrics({ collectProcessMetrics: false, ...options });
}

function expectMetricsError(run: () => unknown, code: MetricsError['code']): MetricsError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(MetricsError);
  expect((caught as MetricsError).code).toBe(code);
  return caught as MetricsError;
}

describe('createMetrics registry', () => {
  it('uses a registry of its own, so instances and the global registry never clash', async () => {
    const first = quiet();
    const second = quiet();
    expect(first.registry).not.toBe(second.registry);
    expect(first.registry).not.toBe(globalRegister);
    first.recordTlsReload(true);
    expect(sampleValue(await first.metricsText(), 'slimguard_tls_reloads_total', { result: 'success' })).toBe(1);
    expect(sampleValue(await second.metricsText(), 'slimguard_tls_reloads_total', { result: 'success' })).toBe(0);
    expect(await globalRegister.metrics()).not.toContain('slimguard_');
  });

  it('serves the Prometheus text content type', () => {
    expect(quiet().contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('exports build info with the version and the Node.js version', async () => {
    const text = await quiet({ version: '1.2.3' }).metricsText();
    expect(sampleValue(text, 'slimguard_build_info', { version: '1.2.3', node_version: process.version })).toBe(1);
    const defaulted = await quiet().metricsText();
    expect(sampleValue(defaulted, 'slimguard_build_info', { version: 'unknown', node_version: process.version })).toBe(1);
  });

  it('collects prefixed process metrics by default, without the _total gauges promtool rejects', async () => {
    const text = await createMetrics().metricsText();
    expect(text).toContain('# TYPE slimguard_process_cpu_seconds_total counter');
    expect(text).toContain('# TYPE slimguard_nodejs_heap_size_used_bytes gauge');
    expect(text).toContain('# TYPE slimguard_nodejs_active_handles gauge');
    expect(text).not.toMatch(/^# TYPE \S+_total gauge$/m);
  });

  it('leaves process metrics out when asked to', async () => {
    const text = await quiet().metricsText();
    expect(text).not.toContain('process_cpu');
    expect(text).not.toContain('nodejs_');
  });

  it('applies a custom prefix to every metric and rejects an invalid one', async () => {
    const text = await createMetrics({ prefix: 'sg_' }).metricsText();
    const names = new Set(parseSamples(text).map((sample) => sample.name));
    expect(names.has('sg_admission_inflight')).toBe(true);
    expect(names.has('sg_process_cpu_seconds_total')).toBe(true);
    expect([...names].every((name) => name.startsWith('sg_'))).toBe(true);
    expectMetricsError(() => createMetrics({ prefix: 'slim-guard_' }), 'INVALID_OPTION');
  });

  it('adds default labels to every series and refuses ones that clash with a metric label', async () => {
    const text = await quiet({ defaultLabels: { cluster: 'prod' } }).metricsText();
    const samples = parseSamples(text);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((sample) => sample.labels['cluster'] === 'prod')).toBe(true);
    expectMetricsError(() => quiet({ defaultLabels: { rule: 'x' } }), 'INVALID_OPTION');
    expectMetricsError(() => quiet({ defaultLabels: { 'bad-name': 'x' } }), 'INVALID_OPTION');
    expectMetricsError(() => quiet({ defaultLabels: { __reserved: 'x' } }), 'INVALID_OPTION');
  });
});

describe('recordAdmission', () => {
  it('counts reviews by kind, operation and decision and observes their duration by kind and decision', async () => {
    const metrics = quiet();
    metrics.recordAdmission({ kind: 'Pod', operation: 'CREATE', decision: 'deny', durationSeconds: 0.004, dryRun: false });
    metrics.recordAdmission({ kind: 'Pod', operation: 'CREATE', decision: 'deny', durationSeconds: 0.3, dryRun: false });
    metrics.recordAdmission({ kind: 'Deployment', operation: 'UPDATE', decision: 'allow', durationSeconds: 0.02, dryRun: false });
    const text = await metrics.metricsText();
    const requests = 'slimguard_admission_requests_total';
    expect(sampleValue(text, requests, { kind: 'Pod', operation: 'CREATE', decision: 'deny' })).toBe(2);
    expect(sampleValue(text, requests, { kind: 'Deployment', operation: 'UPDATE', decision: 'allow' })).toBe(1);
    const histogram = 'slimguard_admission_duration_seconds';
    expect(sampleValue(text, `${histogram}_count`, { kind: 'Pod', decision: 'deny' })).toBe(2);
    expect(sampleValue(text, `${histogram}_sum`, { kind: 'Pod', decision: 'deny' })).toBeCloseTo(0.304);
    expect(sampleValue(text, `${histogram}_bucket`, { kind: 'Pod', decision: 'deny', le: '0.005' })).toBe(1);
    expect(sampleValue(text, `${histogram}_bucket`, { kind: 'Pod', decision: 'deny', le: '0.5' })).toBe(2);
    const buckets = samplesOf(text, `${histogram}_bucket`).filter((s) => s.labels['kind'] === 'Pod').map((s) => s.labels['le']);
    expect(buckets[0]).toBe('0.001');
    expect(buckets).toContain('10');
  });

  it('counts dry-run reviews separately by decision', async () => {
    const metrics = quiet();
    metrics.recordAdmission({ kind: 'Pod', operation: 'CREATE', decision: 'warn', durationSeconds: 0.01, dryRun: true });
    metrics.recordAdmission({ kind: 'Pod', operation: 'CREATE', decision: 'warn', durationSeconds: 0.01, dryRun: false });
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_admission_dry_run_requests_total', { decision: 'warn' })).toBe(1);
    expect(sampleValue(text, 'slimguard_admission_requests_total', { kind: 'Pod', operation: 'CREATE', decision: 'warn' })).toBe(2);
  });

  it('labels undecodable reviews unknown and odd operations other', async () => {
    const metrics = quiet();
    metrics.recordAdmission({ kind: '', operation: '', decision: 'error', durationSeconds: 0, dryRun: false });
    metrics.recordAdmission({ kind: 'Pod', operation: 'PATCH', decision: 'allow', durationSeconds: 0, dryRun: false });
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_admission_requests_total', { kind: 'unknown', operation: 'unknown', decision: 'error' })).toBe(1);
    expect(sampleValue(text, 'slimguard_admission_requests_total', { kind: 'Pod', operation: 'other', decision: 'allow' })).toBe(1);
  });

  it('caps the number of distinct kinds', async () => {
    const metrics = quiet();
    for (let i = 0; i < 40; i++) {
      metrics.recordAdmission({ kind: `Kind${i}`, operation: 'CREATE', decision: 'allow', durationSeconds: 0, dryRun: false });
    }
    const kinds = new Set(samplesOf(await metrics.metricsText(), 'slimguard_admission_requests_total').map((s) => s.labels['kind']));
    expect(kinds.size).toBe(31);
    expect(kinds.has('other')).toBe(true);
  });

  it('rejects an unknown decision and a duration that is not a non-negative number', () => {
    const metrics = quiet();
    const base = { kind: 'Pod', operation: 'CREATE', durationSeconds: 0.1, dryRun: false } as const;
    expectMetricsError(() => metrics.recordAdmission({ ...base, decision: 'maybe' as never }), 'UNKNOWN_LABEL_VALUE');
    expectMetricsError(() => metrics.recordAdmission({ ...base, decision: 'allow', durationSeconds: -1 }), 'INVALID_VALUE');
    expectMetricsError(() => metrics.recordAdmission({ ...base, decision: 'allow', durationSeconds: Number.NaN }), 'INVALID_VALUE');
  });
});

describe('trackAdmissionInFlight', () => {
  it('counts a review until its end function is called, once', async () => {
    const metrics = quiet();
    const endFirst = metrics.trackAdmissionInFlight();
    const endSecond = metrics.trackAdmissionInFlight();
    expect(sampleValue(await metrics.metricsText(), 'slimguard_admission_inflight')).toBe(2);
    endFirst();
    endFirst();
    expect(sampleValue(await metrics.metricsText(), 'slimguard_admission_inflight')).toBe(1);
    endSecond();
    expect(sampleValue(await metrics.metricsText(), 'slimguard_admission_inflight')).toBe(0);
  });
});

describe('recordViolation', () => {
  it('counts violations by rule ID and mode, every combination present from the start', async () => {
    const metrics = quiet();
    expect(samplesOf(await metrics.metricsText(), 'slimguard_violations_total')).toHaveLength(9);
    metrics.recordViolation({ rule: 'sizeBudget', mode: 'warn' });
    metrics.recordViolation({ rule: 'sizeBudget', mode: 'warn' });
    metrics.recordViolation({ rule: 'runAsRoot', mode: 'enforce' });
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_violations_total', { rule: 'sizeBudget', mode: 'warn' })).toBe(2);
    expect(sampleValue(text, 'slimguard_violations_total', { rule: 'runAsRoot', mode: 'enforce' })).toBe(1);
    expect(sampleValue(text, 'slimguard_violations_total', { rule: 'buildBase', mode: 'audit' })).toBe(0);
  });

  it('rejects anything that is not a rule ID, such as an image reference, without echoing it', async () => {
    const metrics = quiet();
    const error = expectMetricsError(
      () => metrics.recordViolation({ rule: 'docker.io/library/nginx:1.27' as RuleId, mode: 'warn' }),
      'UNKNOWN_LABEL_VALUE',
    );
    expect(error.message).not.toContain('nginx');
    expect(error.message).toContain('runAsRoot');
    expect(await metrics.metricsText()).not.toContain('nginx');
  });

  it('rejects an unknown mode and mode off', () => {
    const metrics = quiet();
    expectMetricsError(() => metrics.recordViolation({ rule: 'buildBase', mode: 'off' as ViolationMode }), 'UNKNOWN_LABEL_VALUE');
    expectMetricsError(() => metrics.recordViolation({ rule: 'buildBase', mode: 'Enforce' as ViolationMode }), 'UNKNOWN_LABEL_VALUE');
  });
});

describe('recordRegistryRequest', () => {
  it('counts requests and observes durations by registry host and outcome', async () => {
    const metrics = quiet();
    metrics.recordRegistryRequest({ registry: 'ghcr.io', outcome: 'ok', durationSeconds: 0.12 });
    metrics.recordRegistryRequest({ registry: 'GHCR.io', outcome: 'ok', durationSeconds: 0.08 });
    metrics.recordRegistryRequest({ registry: '127.0.0.1:5000', outcome: 'throttled', durationSeconds: 1.5 });
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_registry_requests_total', { registry: 'ghcr.io', outcome: 'ok' })).toBe(2);
    expect(sampleValue(text, 'slimguard_registry_requests_total', { registry: '127.0.0.1:5000', outcome: 'throttled' })).toBe(1);
    const histogram = 'slimguard_registry_request_duration_seconds';
    expect(sampleValue(text, `${histogram}_count`, { registry: 'ghcr.io', outcome: 'ok' })).toBe(2);
    expect(sampleValue(text, `${histogram}_sum`, { registry: 'ghcr.io', outcome: 'ok' })).toBeCloseTo(0.2);
    expect(sampleValue(text, `${histogram}_bucket`, { registry: '127.0.0.1:5000', outcome: 'throttled', le: '1' })).toBe(0);
    expect(sampleValue(text, `${histogram}_bucket`, { registry: '127.0.0.1:5000', outcome: 'throttled', le: '2.5' })).toBe(1);
  });

  it('caps distinct registry hosts: past the limit they are counted as other, configured ones never are', async () => {
    const metrics = quiet({ registryLabelLimit: 3, knownRegistries: ['registry.corp.example'] });
    for (let i = 0; i < 10; i++) {
      metrics.recordRegistryRequest({ registry: `attacker-${i}.example`, outcome: 'network', durationSeconds: 0.01 });
    }
    metrics.recordRegistryRequest({ registry: 'registry.corp.example', outcome: 'ok', durationSeconds: 0.01 });
    const text = await metrics.metricsText();
    const hosts = new Set(samplesOf(text, 'slimguard_registry_requests_total').map((s) => s.labels['registry']));
    expect(hosts).toEqual(new Set(['attacker-0.example', 'attacker-1.example', 'attacker-2.example', 'other', 'registry.corp.example']));
    expect(sampleValue(text, 'slimguard_registry_requests_total', { registry: 'other', outcome: 'network' })).toBe(7);
    const histogramHosts = new Set(samplesOf(text, 'slimguard_registry_request_duration_seconds_count').map((s) => s.labels['registry']));
    expect(histogramHosts).toEqual(hosts);
  });

  it('uses a default cap of 50 hosts', async () => {
    const metrics = quiet();
    for (let i = 0; i < 80; i++) metrics.recordRegistryRequest({ registry: `r${i}.example`, outcome: 'ok', durationSeconds: 0 });
    const hosts = new Set(samplesOf(await metrics.metricsText(), 'slimguard_registry_requests_total').map((s) => s.labels['registry']));
    expect(hosts.size).toBe(51);
    expect(sampleValue(await metrics.metricsText(), 'slimguard_registry_requests_total', { registry: 'other', outcome: 'ok' })).toBe(30);
  });

  it('gives a value that is not a registry host no label of its own', async () => {
    const metrics = quiet();
    metrics.recordRegistryRequest({ registry: 'docker.io/library/nginx:latest', outcome: 'ok', durationSeconds: 0 });
    metrics.recordRegistryRequest({ registry: '', outcome: 'ok', durationSeconds: 0 });
    const text = await metrics.metricsText();
    expect(text).not.toContain('nginx');
    expect(sampleValue(text, 'slimguard_registry_requests_total', { registry: 'other', outcome: 'ok' })).toBe(2);
  });

  it('rejects an unknown outcome and a negative duration', () => {
    const metrics = quiet();
    expectMetricsError(
      () => metrics.recordRegistryRequest({ registry: 'ghcr.io', outcome: '404' as never, durationSeconds: 0 }),
      'UNKNOWN_LABEL_VALUE',
    );
    expectMetricsError(() => metrics.recordRegistryRequest({ registry: 'ghcr.io', outcome: 'ok', durationSeconds: -0.5 }), 'INVALID_VALUE');
  });
});

describe('recordRegistryFailure', () => {
  it('counts what onRegistryError did', async () => {
    const metrics = quiet();
    metrics.recordRegistryFailure('deny');
    metrics.recordRegistryFailure('deny');
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_registry_failures_total', { action: 'deny' })).toBe(2);
    expect(sampleValue(text, 'slimguard_registry_failures_total', { action: 'allow' })).toBe(0);
    expectMetricsError(() => metrics.recordRegistryFailure('ignore' as never), 'UNKNOWN_LABEL_VALUE');
  });
});

describe('setCacheStatsProvider', () => {
  it('reads the image cache numbers when scraped', async () => {
    const metrics = quiet();
    metrics.setCacheStatsProvider(() => ({ hits: 8, misses: 3, staleHits: 1, negativeHits: 2, entries: 11, bytes: 65536 }));
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_image_cache_hits_total')).toBe(8);
    expect(sampleValue(text, 'slimguard_image_cache_misses_total')).toBe(3);
    expect(sampleValue(text, 'slimguard_image_cache_stale_hits_total')).toBe(1);
    expect(sampleValue(text, 'slimguard_image_cache_negative_hits_total')).toBe(2);
    expect(sampleValue(text, 'slimguard_image_cache_entries')).toBe(11);
    expect(sampleValue(text, 'slimguard_image_cache_size_bytes')).toBe(65536);
  });
});

describe('policy metrics', () => {
  it('counts reloads by result and failed reloads under slimguard_policy_reload_errors_total', async () => {
    const metrics = quiet();
    expect(sampleValue(await metrics.metricsText(), 'slimguard_policy_reload_errors_total')).toBe(0);
    metrics.recordPolicyReload(true);
    metrics.recordPolicyReload(false);
    metrics.recordPolicyReload(false);
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_policy_reloads_total', { result: 'success' })).toBe(1);
    expect(sampleValue(text, 'slimguard_policy_reloads_total', { result: 'error' })).toBe(2);
    expect(sampleValue(text, 'slimguard_policy_reload_errors_total')).toBe(2);
  });

  it('shows only the policy in force', async () => {
    const metrics = quiet();
    metrics.setPolicyInfo({ name: 'default', hash: 'aaaaaaaaaaaa' });
    metrics.setPolicyInfo({ name: 'strict', hash: 'bbbbbbbbbbbb' });
    const samples = samplesOf(await metrics.metricsText(), 'slimguard_policy_info');
    expect(samples).toEqual([{ name: 'slimguard_policy_info', labels: { name: 'strict', hash: 'bbbbbbbbbbbb' }, value: 1 }]);
    expectMetricsError(() => metrics.setPolicyInfo({ name: '', hash: 'x' }), 'INVALID_VALUE');
  });
});

describe('recordTlsReload', () => {
  it('counts TLS reloads by result', async () => {
    const metrics = quiet();
    metrics.recordTlsReload(true);
    metrics.recordTlsReload(false);
    metrics.recordTlsReload(true);
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_tls_reloads_total', { result: 'success' })).toBe(2);
    expect(sampleValue(text, 'slimguard_tls_reloads_total', { result: 'error' })).toBe(1);
  });
});

describe('setCertificateExpiry', () => {
  it('exports the end of validity of the serving certificate and the CA as Unix seconds, latest value winning', async () => {
    const metrics = quiet();
    metrics.setCertificateExpiry('serving', new Date('2031-06-01T12:00:00Z'));
    metrics.setCertificateExpiry('serving', new Date('2031-07-01T00:00:00Z'));
    metrics.setCertificateExpiry('ca', new Date('2040-01-01T00:00:00Z'));
    const text = await metrics.metricsText();
    expect(sampleValue(text, 'slimguard_certificate_expiry_timestamp_seconds', { certificate: 'serving' })).toBe(Date.parse('2031-07-01T00:00:00Z') / 1000);
    expect(sampleValue(text, 'slimguard_certificate_expiry_timestamp_seconds', { certificate: 'ca' })).toBe(Date.parse('2040-01-01T00:00:00Z') / 1000);
    expect(() => metrics.setCertificateExpiry('intermediate' as never, new Date())).toThrow(/unknown certificate label value/);
    expect(() => metrics.setCertificateExpiry('ca', new Date('nonsense'))).toThrow(/valid date/);
  });
});
