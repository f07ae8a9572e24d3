import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePolicy } from '../../src/config/parse-policy.js';
import { createImageSource } from '../../src/image-facts/create-image-source.js';
import { createMetrics } from '../../src/metrics/index.js';
import type { ClusterView } from '../../src/webhook/cluster-view.js';
import { BadReviewError } from '../../src/webhook/errors.js';
import { createReviewHandler } from '../../src/webhook/review-handler.js';
import { startFaultProxy, type RunningFaultProxy } from '../harness/fault-proxy.js';
import { buildImage, buildIndex } from '../harness/oci-image-builder.js';
import { countRequests, pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { admissionReview, deployment, everyKind } from './objects.js';

const { anonymous } = inject('registries');
const logger = pino({ level: 'silent' });
let proxy: RunningFaultProxy;
let repository: string;
let rootImage: string;
let slimImage: string;
let bigImage: string;

const policyYaml = (spec: string) => `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata: {name: test}
spec:
${spec}`;

const ENFORCE = parsePolicy(policyYaml('  mode: enforce\n  rules:\n    sizeBudget: {maxCompressedSize: 1Mi}\n'), 'test');
// The test images are a few hundred bytes: a 100-byte budget makes every one oversized.
const WARN = parsePolicy(policyYaml('  mode: warn\n  rules:\n    sizeBudget: {maxCompressedSize: 100}\n'), 'test');
const AUDIT = parsePolicy(policyYaml('  mode: audit\n'), 'test');
const STRICT_REGISTRY = parsePolicy(policyYaml('  mode: enforce\n  onRegistryError: deny\n'), 'test');

/** A namespace-label directory standing in for the informer, which the cluster suite tests for real. */
function clusterWith(labels: Record<string, Record<string, string>>, platforms = [{ os: 'linux', architecture: 'amd64' }]): ClusterView {
  return {
    namespaceLabels: (ns) => labels[ns],
    nodePlatforms: () => platforms,
    keychainFor: () => ({ missingSecrets: [] }),
  };
}

function handlerFor(policy = ENFORCE, extra: Partial<Parameters<typeof createReviewHandler>[0]> = {}) {
  const source = createImageSource({ insecureRegistries: [anonymous.host, proxy.host], retry: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 100 } });
  const handle = createReviewHandler({ source, policy: () => policy, logger, ...extra });
  return { source, handle };
}

function context(timeoutMs = 9_000) {
  return { deadline: Date.now() + timeoutMs, signal: AbortSignal.timeout(timeoutMs), requestId: 'test' };
}

beforeAll(async () => {
  proxy = await startFaultProxy({ target: anonymous.url });
  repository = uniqueRepository('webhook');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'wr' }] }));
  await pushTo(anonymous, repository, 'slim', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'ws' }] }));
  await pushTo(
    anonymous,
    repository,
    'big',
    buildIndex({
      images: [buildImage({ user: '1000', layers: [{ sizeBytes: 4096, seed: 'wb' }], platform: { os: 'linux', architecture: 'amd64' } })],
    }),
  );
  rootImage = `${anonymous.host}/${repository}:root`;
  slimImage = `${anonymous.host}/${repository}:slim`;
  bigImage = `${anonymous.host}/${repository}:big`;
});
afterAll(async () => proxy.stop());

describe('review handler', () => {
  it('denies every workload kind that runs a root image, at the controller', async () => {
    const { handle } = handlerFor();
    for (const object of everyKind(rootImage)) {
      const review = admissionReview(object);
      const answer = await handle(review, context());
      expect(answer.response.uid, object.kind).toBe(review.request.uid);
      expect(answer.response.allowed, object.kind).toBe(false);
      expect(answer.response.status).toMatchObject({ code: 403, reason: 'Forbidden' });
      expect(answer.response.status?.message).toContain(`${object.kind} team-a/web`);
      expect(answer.response.status?.message).toMatch(/\[runAsRoot\] .*USER 65532/);
    }
  });

  it('allows a slim non-root image with no warnings', async () => {
    const { handle } = handlerFor();
    const answer = await handle(admissionReview(deployment('web', slimImage)), context());
    expect(answer.response).toMatchObject({ allowed: true });
    expect(answer.response.warnings ?? []).toEqual([]);
  });

  it('judges each container with its own securityContext merged over the pod', async () => {
    const { handle } = handlerFor();
    const object = deployment('web', rootImage);
    object.spec.template.spec.securityContext = { runAsUser: 1000 };
    object.spec.template.spec.containers.push({ name: 'sidecar', image: rootImage, securityContext: { runAsUser: 0 } });
    const answer = await handle(admissionReview(object), context());
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain('container "sidecar"');
    expect(answer.response.status?.message).not.toContain('container "x"');
  });

  it('warns in warn mode: allowed, with [sizeBudget] and [runAsRoot] warnings', async () => {
    const { handle } = handlerFor(WARN);
    const answer = await handle(admissionReview(deployment('web', rootImage)), context());
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings?.some((w: string) => w.startsWith('[sizeBudget] '))).toBe(true);
    expect(answer.response.warnings?.some((w: string) => w.startsWith('[runAsRoot] '))).toBe(true);
    for (const warning of answer.response.warnings ?? []) expect([...warning].length).toBeLessThanOrEqual(256);
  });

  it('records audit findings silently: allowed, no warnings, audit annotations and metrics', async () => {
    const metrics = createMetrics({ collectProcessMetrics: false });
    const { handle } = handlerFor(AUDIT, { metrics });
    const answer = await handle(admissionReview(deployment('web', rootImage)), context());
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings ?? []).toEqual([]);
    expect(Object.keys(answer.response.auditAnnotations ?? {})).toContain('violations');
    const text = await metrics.metricsText();
    expect(text).toMatch(/slimguard_violations_total\{rule="runAsRoot",mode="audit"\} 1/);
    expect(text).toMatch(/slimguard_admission_requests_total\{kind="Deployment",operation="CREATE",decision="allow"\} 1/);
  });

  it('applies the namespace mode label: the same root pod is admitted with a warning', async () => {
    const { handle } = handlerFor(ENFORCE, { cluster: clusterWith({ 'team-a': { 'slimguard.io/mode': 'warn' } }) });
    const answer = await handle(admissionReview(deployment('web', rootImage), { namespace: 'team-a' }), context());
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings?.some((w: string) => w.startsWith('[runAsRoot] '))).toBe(true);
    const other = await handle(admissionReview(deployment('web', rootImage), { namespace: 'team-b' }), context());
    expect(other.response.allowed).toBe(false);
  });

  it('costs no registry request in an excluded namespace, for an excluded user, or a namespace set to off', async () => {
    const { handle } = handlerFor(ENFORCE, {
      exclusions: { namespaces: ['kube-system'], usernames: ['system:serviceaccount:slimguard:slimguard'] },
      cluster: clusterWith({ quiet: { 'slimguard.io/mode': 'off' } }),
    });
    const newRepository = uniqueRepository('excluded');
    await pushTo(anonymous, newRepository, 'root', buildImage({ user: '' }));
    const image = `${anonymous.host}/${newRepository}:root`;
    const { result, requests } = await countRequests(anonymous, newRepository, async () => [
      await handle(admissionReview(deployment('web', image), { namespace: 'kube-system' }), context()),
      await handle(admissionReview(deployment('web', image), { username: 'system:serviceaccount:slimguard:slimguard' }), context()),
      await handle(admissionReview(deployment('web', image), { namespace: 'quiet' }), context()),
    ]);
    for (const answer of result) expect(answer.response).toMatchObject({ allowed: true });
    expect(requests).toHaveLength(0);
  });

  it('gives dry-run requests the same verdict', async () => {
    const { handle } = handlerFor();
    const answer = await handle(admissionReview(deployment('web', rootImage), { dryRun: true }), context());
    expect(answer.response.allowed).toBe(false);
  });

  it('allows unknown kinds and DELETE', async () => {
    const { handle } = handlerFor();
    const configMap = await handle(admissionReview({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: {} }), context());
    expect(configMap.response.allowed).toBe(true);
    const del = await handle(admissionReview(deployment('web', rootImage), { operation: 'DELETE' }), context());
    expect(del.response.allowed).toBe(true);
  });

  it('rejects what is not an AdmissionReview with a 400-type error', async () => {
    const { handle } = handlerFor();
    await expect(handle({ hello: 'world' }, context())).rejects.toBeInstanceOf(BadReviewError);
    await expect(handle({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: '' } }, context())).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('warns when the image lacks a platform the cluster runs', async () => {
    const cluster = clusterWith({}, [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ]);
    const { handle } = handlerFor(WARN, { cluster });
    const answer = await handle(admissionReview(deployment('web', bigImage)), context());
    expect(answer.response.warnings?.some((w: string) => w.startsWith('[platform] ') && w.includes('linux/arm64'))).toBe(true);
  });
});

// The fault proxy stands in for registry faults the real registry cannot produce (a stall, an outage).
describe('review handler when the registry fails', () => {
  it('answers before the deadline when the registry stalls: allowed with a warning by default', async () => {
    proxy.setFault(() => ({ stall: true }));
    const { handle } = handlerFor(ENFORCE);
    const started = Date.now();
    const answer = await handle(admissionReview(deployment('web', `${proxy.host}/${repository}:root`)), context(1_500));
    // The stall never ends, so only the 1.5 s deadline can end the review; 2 s of slack absorb a
    // loaded 2-core CI machine's event-loop delay and still fail a handler that waits for the
    // registry client's own timeouts.
    expect(Date.now() - started).toBeLessThan(3_500);
    expect(answer.response.allowed).toBe(true);
    expect(answer.response.warnings?.[0]).toMatch(/^\[registry\] cannot read .*:root/);
    proxy.setFault(undefined);
  });

  it('denies when the policy says onRegistryError: deny', async () => {
    proxy.setFault(() => ({ status: 503 }));
    const { handle } = handlerFor(STRICT_REGISTRY);
    const answer = await handle(admissionReview(deployment('web', `${proxy.host}/${repository}:slim`)), context(3_000));
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toMatch(/\[registry\] cannot read/);
    proxy.setFault(undefined);
  });

  it('keeps judging from cached facts while the registry is down', async () => {
    const source = createImageSource({
      insecureRegistries: [proxy.host],
      retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 },
      cache: { tagTtlMs: 0 },
    });
    const handle = createReviewHandler({ source, policy: () => ENFORCE, logger });
    const review = () => admissionReview(deployment('web', `${proxy.host}/${repository}:root`));
    expect((await handle(review(), context())).response.allowed).toBe(false);
    proxy.setFault(() => ({ reset: true }));
    const answer = await handle(review(), context());
    expect(answer.response.allowed).toBe(false);
    expect(answer.response.status?.message).toContain('[runAsRoot]');
    expect(source.stats().staleHits).toBeGreaterThanOrEqual(1);
    proxy.setFault(undefined);
  });
});
