// `helm lint --strict` is clean for the default values and for each certificate mode.
import { describe, expect, it } from 'vitest';
import { CHART_DIR, NAMESPACE, runHelm, valueArgs } from './helm.js';

const CASES: Record<string, Record<string, unknown>> = {
  default: {},
  certManager: { 'certificates.mode': 'certManager', 'metrics.serviceMonitor.enabled': true, 'metrics.prometheusRule.enabled': true },
  secret: { 'certificates.mode': 'secret', 'certificates.caBundle': 'Y2E=', 'webhook.url': 'https://127.0.0.1:8443/validate' },
};

describe('helm lint --strict', () => {
  for (const [name, values] of Object.entries(CASES)) {
    it(`is clean with ${name} values`, async () => {
      const run = await runHelm(['lint', '--strict', CHART_DIR, '--namespace', NAMESPACE, ...valueArgs(values)]);
      expect(run.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
      // --strict turns warnings into failures; the one [INFO] helm prints (no icon) is advice.
      expect(run.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
      expect(run.code).toBe(0);
    });
  }

  it('fails on a schema violation (the lint can fail)', async () => {
    const run = await runHelm(['lint', '--strict', CHART_DIR, ...valueArgs({ replicas: 2 })]);
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/replicas/);
  });
});
