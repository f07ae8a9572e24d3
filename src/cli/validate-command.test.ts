// The registry-free parts of validate: wrapping objects as the API server would, listing, skipping.
// Judging images against the real registry is tested through the built CLI in test/cli/validate.test.ts.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeAdmissionReview, listContainers } from '../admission/index.js';
import type { ImageSource } from '../image-facts/image-source.js';
import { testPolicy } from '../policy/policy-fixture.js';
import { parseManifests } from './read-manifests.js';
import { admissionReviewFor, parseFieldPath, parseNamespaceLabels, runValidate } from './validate-command.js';

/** Every test here must decide without a registry lookup; one would be a bug (a skip that fetched). */
const noLookups: ImageSource = {
  getFacts: async (request) => {
    throw new Error(`unexpected lookup of ${request.reference}`);
  },
  getProvenance: async () => undefined,
};

const kubectlYaml = (args: string[]) => execFileSync('kubectl', ['create', ...args, '--dry-run=client', '-o', 'yaml'], { encoding: 'utf8' });

describe('admissionReviewFor', () => {
  it('builds the AdmissionReview the webhook decodes, in the namespace given', () => {
    const [deployment] = parseManifests(kubectlYaml(['deployment', 'web', '--image=nginx:1.27']), 'd.yaml').objects;
    const request = decodeAdmissionReview(admissionReviewFor(deployment!.object, 'team-a'));
    expect(request).toMatchObject({ kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, operation: 'CREATE', name: 'web', namespace: 'team-a' });
    expect(request.object?.['metadata']).toMatchObject({ name: 'web', namespace: 'team-a' });
    const listing = listContainers(request);
    expect(listing).toMatchObject({ action: 'review', containers: [{ name: 'nginx', image: 'nginx:1.27', context: { namespace: 'team-a' } }] });
  });

  it('reads the core group from apiVersion v1 and passes JSON only (YAML timestamps become strings)', () => {
    const [pod] = parseManifests('apiVersion: v1\nkind: Pod\nmetadata: {name: p, creationTimestamp: 2024-01-01T00:00:00Z}\nspec: {containers: [{name: a, image: alpine}]}\n', 'p.yaml').objects;
    const review = admissionReviewFor(pod!.object, 'default') as { request: { kind: unknown; object: { metadata: Record<string, unknown> } } };
    expect(review.request.kind).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    expect(typeof review.request.object.metadata['creationTimestamp']).toBe('string');
  });
});

describe('parseFieldPath', () => {
  it('splits Kubernetes field paths into keys and indexes', () => {
    expect(parseFieldPath('spec.template.spec.containers[0]')).toEqual(['spec', 'template', 'spec', 'containers', 0]);
    expect(parseFieldPath('spec.initContainers[12]')).toEqual(['spec', 'initContainers', 12]);
    expect(parseFieldPath('spec')).toEqual(['spec']);
    expect(parseFieldPath('')).toEqual([]);
  });
});

describe('parseNamespaceLabels', () => {
  it('reads k=v pairs, accumulating over repeated flags', () => {
    expect(parseNamespaceLabels('slimguard.io/mode=warn,team=a')).toEqual({ 'slimguard.io/mode': 'warn', team: 'a' });
    expect(parseNamespaceLabels('env=', { team: 'a' })).toEqual({ team: 'a', env: '' });
  });

  it('rejects a pair without a key', () => {
    expect(() => parseNamespaceLabels('justakey')).toThrow(/key=value.*"justakey"/);
    expect(() => parseNamespaceLabels('=v')).toThrow(/key=value/);
  });
});

describe('runValidate (no registry lookups)', () => {
  it('skips kinds the webhook does not judge and counts them, with their line', async () => {
    const text = [kubectlYaml(['configmap', 'c']), kubectlYaml(['service', 'clusterip', 's', '--tcp=80:80']), 'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n'].join('---\n');
    const report = await runValidate({ manifests: parseManifests(text, 'm.yaml'), source: noLookups, policy: testPolicy() });
    expect(report.workloads).toBe(0);
    expect(report.results).toEqual([]);
    expect(report.skipped.map((s) => [s.kind, s.reason, s.namespace])).toEqual([
      ['ConfigMap', 'unsupportedKind', 'default'],
      ['Service', 'unsupportedKind', 'default'],
      ['Widget', 'unsupportedKind', 'default'],
    ]);
    expect(report.skipped[2]).toMatchObject({ file: 'm.yaml', apiVersion: 'example.com/v1', name: 'w', line: expect.any(Number) });
    expect(report.skipped[2]!.message).toContain('example.com/Widget is not judged');
  });

  it('takes --namespace over metadata.namespace, and metadata.namespace over "default"', async () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: prod}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n';
    const own = await runValidate({ manifests: parseManifests(text, 'm.yaml'), source: noLookups, policy: testPolicy() });
    expect(own.skipped.map((s) => s.namespace)).toEqual(['prod', 'default']);
    const forced = await runValidate({ manifests: parseManifests(text, 'm.yaml'), source: noLookups, policy: testPolicy(), namespace: 'ci' });
    expect(forced.skipped.map((s) => s.namespace)).toEqual(['ci', 'ci']);
  });

  it('reports containers the webhook cannot judge as problems at their line', async () => {
    const text = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
      - name: no-image
      - name: bad
        image: Library/Nginx:1.27
`;
    const report = await runValidate({ manifests: parseManifests(text, 'bad.yaml'), source: noLookups, policy: testPolicy() });
    expect(report.workloads).toBe(1);
    expect(report.results).toEqual([]);
    expect(report.problems.map((p) => [p.code, p.line])).toEqual([
      ['INVALID_CONTAINER', 8],
      ['INVALID_CONTAINER', 9],
    ]);
    expect(report.problems[0]!.message).toBe('bad.yaml:8: Deployment default/web spec.template.spec.containers[0] (container "no-image"): no image set');
    expect(report.problems[1]!.message).toMatch(/^bad\.yaml:9: .*containers\[1\] \(container "bad"\): .*Library\/Nginx/);
  });

  it('judges nothing in a namespace whose slimguard.io/mode label is off, like the webhook', async () => {
    const report = await runValidate({
      manifests: parseManifests(kubectlYaml(['deployment', 'web', '--image=nginx:1.27']), 'd.yaml'),
      source: noLookups,
      policy: testPolicy({ mode: 'enforce' }),
      namespaceLabels: { 'slimguard.io/mode': 'off' },
    });
    expect(report.results).toEqual([]);
    expect(report.skipped).toMatchObject([{ kind: 'Deployment', name: 'web', reason: 'namespaceModeOff' }]);
  });

  it('carries the problems of reading the manifests into the report', async () => {
    const report = await runValidate({ manifests: parseManifests('a: [1\n', 'x.yaml'), source: noLookups, policy: testPolicy() });
    expect(report.problems).toMatchObject([{ code: 'YAML_SYNTAX', file: 'x.yaml' }]);
  });
});
