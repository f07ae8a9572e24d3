// Every object the chart renders is valid for the real API server: `kubectl apply
// --dry-run=server` runs each through the API server's decoding, defaulting, validation and
// admission without storing it. The bare API server has no cert-manager or prometheus-operator
// CRDs, so Certificate, Issuer, ServiceMonitor and PrometheusRule cannot be validated here (a test
// below proves the server refuses them for that reason); the render tests and promtool check them.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createCertificateAuthority } from '../harness/certificates.js';
import { renderChart, type K8sObject } from '../../chart/helm.js';
import { kubectl, kubectlOk } from './kubectl.js';

const NAMESPACE = `slimguard-chart-dry-${randomBytes(3).toString('hex')}`;
const CRD_KINDS = new Set(['Certificate', 'Issuer', 'ServiceMonitor', 'PrometheusRule']);

beforeAll(async () => {
  await kubectlOk(['create', 'namespace', NAMESPACE]);
});
afterAll(async () => {
  await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
});

const toYamlStream = (objects: K8sObject[]) => objects.map((object) => `---\n${stringify(object)}`).join('');

/** Dry-runs the objects and returns the kind/name of each one the server accepted. */
async function dryRun(objects: K8sObject[]): Promise<string[]> {
  const stdout = await kubectlOk(['apply', '--dry-run=server', '-o', 'name', '-f', '-'], toYamlStream(objects));
  return stdout.trim().split('\n').sort();
}

function expectedNames(objects: K8sObject[]): string[] {
  return objects.map((object) => `${object.kind.toLowerCase()}.${groupOf(object.apiVersion)}/${object.metadata.name}`.replace('.core/', '/')).sort();
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0]! : 'core';
}

const CASES: Record<string, Record<string, unknown>> = {
  'default values (bootstrap, service client config)': {},
  'pull secrets, url client config, Fail, enforce': {
    'pullSecrets.enabled': true,
    'webhook.url': 'https://127.0.0.1:8443/validate',
    'webhook.failurePolicy': 'Fail',
    mode: 'enforce',
    'certificates.extraIpAddresses': ['127.0.0.1'],
  },
  'certManager (its CRD objects left out)': { 'certificates.mode': 'certManager', 'metrics.grafanaDashboard.enabled': true },
};

describe('kubectl apply --dry-run=server of the rendered chart', () => {
  for (const [name, values] of Object.entries(CASES)) {
    it(`accepts every object: ${name}`, async () => {
      const rendered = await renderChart(values, { release: 'slimguard-dry', namespace: NAMESPACE });
      const objects = rendered.objects.filter((object) => !CRD_KINDS.has(object.kind));
      // At least the ServiceAccount, ConfigMap, 2 Services, Deployment, PDB, ClusterRole(Binding),
      // webhook configuration: a render that lost objects must not pass as "every object valid".
      expect(objects.length).toBeGreaterThanOrEqual(9);
      expect(await dryRun(objects)).toEqual(expectedNames(objects));
    });
  }

  it('accepts every object in secret mode, with a real CA as caBundle', async () => {
    const ca = createCertificateAuthority('dry-run-ca');
    const rendered = await renderChart(
      { 'certificates.mode': 'secret', 'certificates.caBundle': Buffer.from(ca.certPem).toString('base64') },
      { release: 'slimguard-dry', namespace: NAMESPACE },
    );
    expect(await dryRun(rendered.objects)).toEqual(expectedNames(rendered.objects));
  });

  it('the API server refuses the CRD kinds only because it lacks their CRDs', async () => {
    const rendered = await renderChart(
      { 'certificates.mode': 'certManager', 'metrics.serviceMonitor.enabled': true, 'metrics.prometheusRule.enabled': true },
      { release: 'slimguard-dry', namespace: NAMESPACE },
    );
    const crdObjects = rendered.objects.filter((object) => CRD_KINDS.has(object.kind));
    expect(new Set(crdObjects.map((object) => object.kind))).toEqual(CRD_KINDS);
    for (const object of crdObjects) {
      const run = await kubectl(['apply', '--dry-run=server', '-f', '-'], toYamlStream([object]));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/no matches for kind|ensure CRDs are installed/);
    }
  });
});
