import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createMetrics, REGISTRY_OUTCOMES, type Metrics } from '../../src/metrics/index.js';
import { RULE_IDS } from '../../src/policy/types.js';
import { parseSamples } from './exposition.js';

interface PromtoolResult {
  code: number | null;
  output: string;
}

/** Runs `promtool check metrics`, which reads the exposition from stdin and prints every lint problem. */
function promtoolCheckMetrics(exposition: string): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

/** What a busy webhook has seen after a while: every recorder, every label value. */
function recordRealisticMix(metrics: Metrics): void {
  const end = metrics.trackAdmissionInFlight();
  metrics.trackAdmissionInFlight();
  end();
  const kinds = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Weird"Kind\\'];
  const decisions = ['allow', 'warn', 'deny', 'error'] as const;
  kinds.forEach((kind, i) => {
    for (const decision of decisions) {
      metrics.recordAdmission({
        kind,
        operation: i % 2 === 0 ? 'CREATE' : 'UPDATE',
        decision,
        durationSeconds: 0.0007 * (i + 1) * (decisions.indexOf(decision) + 1) ** 3,
        dryRun: i === 3,
      });
    }
  });
  metrics.recordAdmission({ kind: '', operation: '', decision: 'error', durationSeconds: 12, dryRun: false });
  for (const rule of RULE_IDS) {
    metrics.recordViolation({ rule, mode: 'enforce' });
    metrics.recordViolation({ rule, mode: 'audit' });
  }
  const hosts = ['docker.io', 'ghcr.io', '127.0.0.1:5000', '[::1]:5443', 'evil.example'];
  hosts.forEach((registry, i) => {
    for (const outcome of REGISTRY_OUTCOMES) {
      metrics.recordRegistryRequest({ registry, outcome, durationSeconds: 0.003 * (i + 1) * (REGISTRY_OUTCOMES.indexOf(outcome) + 1) });
    }
  });
  metrics.recordRegistryRequest({ registry: 'attacker-over-the-limit.example', outcome: 'network', durationSeconds: 31 });
  metrics.recordRegistryFailure('allow');
  metrics.recordRegistryFailure('deny');
  let hits = 0;
  metrics.setCacheStatsProvider(() => ({ hits: (hits += 5), misses: 7, staleHits: 1, negativeHits: 2, entries: 42, bytes: 1_234_567 }));
  metrics.recordPolicyReload(true);
  metrics.recordPolicyReload(false);
  metrics.setPolicyInfo({ name: 'default', hash: '3f2a9c01bd4e' });
  metrics.recordTlsReload(true);
  metrics.recordTlsReload(false);
  metrics.setCertificateExpiry('serving', new Date('2031-06-01T12:00:00Z'));
  metrics.setCertificateExpiry('ca', new Date('2040-01-01T00:00:00Z'));
}

describe('promtool check metrics', () => {
  it('accepts the exposition of a realistic mix of every metric, process metrics included, with no lint output', async () => {
    const metrics = createMetrics({ version: '0.1.0', registryLabelLimit: 3, knownRegistries: ['docker.io'] });
    recordRealisticMix(metrics);
    await metrics.metricsText(); // a first scrape, so the cache counters have grown once before the checked one
    const exposition = await metrics.metricsText();

    const names = new Set(parseSamples(exposition).map((sample) => sample.name));
    for (const name of [
      'slimguard_admission_requests_total',
      'slimguard_admission_dry_run_requests_total',
      'slimguard_admission_duration_seconds_bucket',
      'slimguard_admission_inflight',
      'slimguard_violations_total',
      'slimguard_registry_requests_total',
      'slimguard_registry_request_duration_seconds_count',
      'slimguard_registry_failures_total',
      'slimguard_image_cache_hits_total',
      'slimguard_image_cache_misses_total',
      'slimguard_image_cache_stale_hits_total',
      'slimguard_image_cache_negative_hits_total',
      'slimguard_image_cache_entries',
      'slimguard_image_cache_size_bytes',
      'slimguard_policy_reloads_total',
      'slimguard_policy_reload_errors_total',
      'slimguard_policy_info',
      'slimguard_tls_reloads_total',
      'slimguard_build_info',
      'slimguard_process_cpu_seconds_total',
    ]) {
      expect(names, name).toContain(name);
    }
    // Declared from the start; its samples only appear after a garbage collection.
    expect(exposition).toContain('# TYPE slimguard_nodejs_gc_duration_seconds histogram');
    expect(exposition).toContain('registry="other"');

    const result = await promtoolCheckMetrics(exposition);
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('accepts the exposition with default labels and a custom prefix', async () => {
    const metrics = createMetrics({ prefix: 'sg_', defaultLabels: { cluster: 'prod-eu', replica: 'slimguard-7d9f' } });
    recordRealisticMix(metrics);
    const result = await promtoolCheckMetrics(await metrics.metricsText());
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  // Proves the check above can fail: promtool does print the problems we guard against.
  it('reports a lint problem in a bad exposition', async () => {
    const bad = '# HELP bad_things_total Bad.\n# TYPE bad_things_total gauge\nbad_things_total 1\n';
    const result = await promtoolCheckMetrics(bad);
    expect(result.output).toContain('_total');
    expect(result.code).not.toBe(0);
  });
});
