// The PrometheusRule, ServiceMonitor and Grafana dashboard: the alert expressions are checked by
// the real promtool, and every slimguard_* metric they (and the dashboard) use must be one that
// createMetrics() actually exports.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCommand } from '../harness/run-command.js';
import { createMetrics } from '../../src/metrics/index.js';
import { renderChart, type Rendered } from './helm.js';

let dir: string;
let rendered: Rendered;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-chart-rules-'));
  rendered = await renderChart({
    'metrics.serviceMonitor.enabled': true,
    'metrics.serviceMonitor.labels': { release: 'prometheus' },
    'metrics.prometheusRule.enabled': true,
    'metrics.grafanaDashboard.enabled': true,
  });
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function promtool(args: string[]): Promise<{ code: number | null; output: string }> {
  const run = await runCommand('promtool', args);
  return { code: run.code, output: run.stdout + run.stderr };
}

/** Metric names a scraper sees from createMetrics(): every family, and a histogram's series. */
async function exportedMetricNames(): Promise<Set<string>> {
  const text = await createMetrics().metricsText();
  const names = new Set<string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match as unknown as [string, string, string];
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

const usedMetrics = (expressions: string[]) => [...new Set(expressions.flatMap((e) => e.match(/\bslimguard_[a-z0-9_]+/g) ?? []))].sort();

describe('PrometheusRule', () => {
  it('passes promtool check rules', async () => {
    const rule = rendered.get('PrometheusRule', 'slimguard');
    const file = join(dir, 'rules.yaml');
    await writeFile(file, stringify(rule.spec));
    const run = await promtool(['check', 'rules', file]);
    expect(run.output).toMatch(/SUCCESS: 6 rules found/);
    expect(run.code).toBe(0);
  });

  it('alerts on latency, registry errors, unjudged images, denial spikes, policy and TLS reload failures', () => {
    const rules = rendered.get('PrometheusRule').spec.groups[0].rules as { alert: string; expr: string }[];
    expect(rules.map((rule) => rule.alert)).toEqual([
      'SlimguardAdmissionLatencyHigh',
      'SlimguardRegistryErrors',
      'SlimguardImagesUnjudged',
      'SlimguardDenialSpike',
      'SlimguardPolicyReloadFailing',
      'SlimguardTlsReloadFailing',
    ]);
    // Scoped to this release's metrics Service, so two installs never alert on each other.
    for (const rule of rules) expect(rule.expr).toContain('namespace="slimguard", service="slimguard-metrics"');
  });

  it('uses only metrics slimguard exports', async () => {
    const rules = rendered.get('PrometheusRule').spec.groups[0].rules as { expr: string }[];
    const used = usedMetrics(rules.map((rule) => rule.expr));
    expect(used).toEqual([
      'slimguard_admission_duration_seconds_bucket',
      'slimguard_admission_requests_total',
      'slimguard_policy_reload_errors_total',
      'slimguard_registry_failures_total',
      'slimguard_registry_requests_total',
      'slimguard_tls_reloads_total',
    ]);
    const exported = await exportedMetricNames();
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('the denial-spike expression fires on a jump in denials and not on a steady high rate (promtool test rules)', async () => {
    const rule = rendered.get('PrometheusRule').spec.groups[0].rules.find((r: { alert: string }) => r.alert === 'SlimguardDenialSpike');
    const series = (decision: string) => `slimguard_admission_requests_total{namespace="slimguard", service="slimguard-metrics", kind="Pod", operation="CREATE", decision="${decision}"}`;
    await writeFile(join(dir, 'empty-rules.yaml'), stringify({ groups: [] }));
    const tests = {
      rule_files: ['empty-rules.yaml'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            // 0.1 denials/s for 80 minutes, then 5/s.
            { series: series('deny'), values: '0+6x80 486+300x30' },
            // Steady 5 allows/s: never counted as denials.
            { series: series('allow'), values: '0+300x110' },
          ],
          promql_expr_test: [
            { expr: rule.expr, eval_time: '75m', exp_samples: [] },
            { expr: rule.expr, eval_time: '100m', exp_samples: [{ labels: '{}', value: 5 }] },
          ],
        },
        {
          interval: '1m',
          // 5 denials/s all along: high, but no spike.
          input_series: [{ series: series('deny'), values: '0+300x110' }],
          promql_expr_test: [{ expr: rule.expr, eval_time: '100m', exp_samples: [] }],
        },
      ],
    };
    const file = join(dir, 'denial-spike.test.yaml');
    await writeFile(file, stringify(tests));
    const run = await promtool(['test', 'rules', file]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.code).toBe(0);
  });

  it('fails promtool when an expression is broken (the check can fail)', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, stringify({ groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum(rate(slimguard_admission_requests_total[5m])' }] }] }));
    const run = await promtool(['check', 'rules', file]);
    expect(run.code).not.toBe(0);
  });
});

describe('ServiceMonitor', () => {
  it('scrapes the metrics Service port of this release', () => {
    const monitor = rendered.get('ServiceMonitor', 'slimguard');
    expect(monitor.metadata.labels.release).toBe('prometheus');
    expect(monitor.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'slimguard',
      'app.kubernetes.io/instance': 'slimguard',
      'app.kubernetes.io/component': 'metrics',
    });
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s', scrapeTimeout: '10s' }]);
    // The selector matches the metrics Service and not the webhook Service.
    const labels = rendered.get('Service', 'slimguard-metrics').metadata.labels;
    for (const [key, value] of Object.entries(monitor.spec.selector.matchLabels)) expect(labels[key]).toBe(value);
    expect(rendered.get('Service', 'slimguard').metadata.labels['app.kubernetes.io/component']).toBeUndefined();
  });
});

describe('Grafana dashboard', () => {
  it('is a ConfigMap for the Grafana sidecar whose panels query exported metrics', async () => {
    const configMap = rendered.get('ConfigMap', 'slimguard-dashboard');
    expect(configMap.metadata.labels.grafana_dashboard).toBe('1');
    const dashboard = JSON.parse(configMap.data['slimguard.json']) as { uid: string; panels: { targets: { expr: string }[] }[] };
    expect(dashboard.uid).toBe('slimguard');
    const expressions = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    expect(expressions.length).toBeGreaterThanOrEqual(8);
    const exported = await exportedMetricNames();
    const used = usedMetrics(expressions);
    expect(used).toContain('slimguard_violations_total');
    expect(used.filter((name) => !exported.has(name))).toEqual([]);
  });

  it('monitoring objects are off by default (their CRDs and Grafana may not exist)', async () => {
    const plain = await renderChart();
    for (const kind of ['ServiceMonitor', 'PrometheusRule']) expect(plain.has(kind)).toBe(false);
    expect(plain.has('ConfigMap', 'slimguard-dashboard')).toBe(false);
  });
});
