// Property tests (fast-check) over AdmissionReview bodies, sent as real HTTPS requests to the
// webhook server with slimguard's real review handler and image source (the harness registry
// holds the one image that exists). Whatever the body, the answer is valid JSON with the
// request's uid (200), or a 4xx; never a 5xx, never a hang (each request is bounded by a timeout).
import pino from 'pino';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePolicy } from '../../src/config/parse-policy.js';
import { createImageSource, type ConfiguredImageSource } from '../../src/image-facts/create-image-source.js';
import { createReviewHandler } from '../../src/webhook/review-handler.js';
import { buildImage } from '../harness/oci-image-builder.js';
import { createTestCa, issueServingCert, makeTempDir, removeDir, writePairFiles } from '../http/certs.js';
import { serverFixture } from '../http/server-fixture.js';
import { pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { admissionReview, everyKind } from '../webhook/objects.js';
import { assertProperty, fuzzRuns } from './fuzz-runs.js';
import { mutatedFrom } from './json-mutation.js';

const { anonymous } = inject('registries');
const fixture = serverFixture();
const REQUEST_TIMEOUT_MS = 10_000;
let dir: string;
let port: number;
let dispatcher: Agent;
let source: ConfiguredImageSource;
let images: string[];
let seeds: Record<string, any>[];

beforeAll(async () => {
  const repository = uniqueRepository('fuzz');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'fuzz' }] }));
  images = [
    `${anonymous.host}/${repository}:root`,
    `${anonymous.host}/${repository}:missing`,
    `${anonymous.host}/${repository}@sha256:${'0'.repeat(64)}`,
    'nginx:1.27', // docker.io: not in the allow list, refused without a request
    '0__0.io/0',
    'Upper/Case',
    '',
    `${anonymous.host}/${'a/'.repeat(130)}x`,
  ];
  const ca = createTestCa();
  dir = await makeTempDir('slimguard-fuzz-');
  const tls = await writePairFiles(dir, issueServingCert(ca, { serial: 1 }));
  dispatcher = new Agent({ connect: { ca: ca.certPem } });
  // Only the harness registry may be contacted: fuzzed references to other hosts are refused at once.
  source = createImageSource({ insecureRegistries: [anonymous.host], allowRegistries: [anonymous.host], retry: { maxAttempts: 1, baseDelayMs: 10, maxDelayMs: 100 } });
  const policy = parsePolicy('apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: fuzz}\nspec:\n  mode: enforce\n', 'fuzz');
  const handleReview = createReviewHandler({ source, policy: () => policy, logger: pino({ level: 'silent' }) });
  ({ port } = await fixture.start({ tls, handleReview }));
  seeds = images.slice(0, 3).flatMap((image) => everyKind(image).map((object) => admissionReview(object)));
  seeds.push(admissionReview(everyKind(images[0]!)[0]!, { operation: 'UPDATE', oldObject: everyKind(images[0]!)[0]! }));
});

afterAll(async () => {
  await fixture.cleanup();
  await dispatcher?.close();
  await source?.close();
  if (dir) await removeDir(dir);
});

async function post(body: string, contentType = 'application/json') {
  const response = await request(`https://127.0.0.1:${port}/validate?timeout=5s`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
    dispatcher,
    headersTimeout: REQUEST_TIMEOUT_MS,
    bodyTimeout: REQUEST_TIMEOUT_MS,
  });
  return { status: response.statusCode, text: await response.body.text() };
}

const text = fc.string({ unit: 'grapheme-ascii', maxLength: 40 });
// Lazy: the images exist only once beforeAll has pushed them.
const image = () => fc.oneof(fc.constant(null).chain(() => fc.constantFrom(...images)), text);
const container = () =>
  fc.record(
    { name: text, image: image(), securityContext: fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.record({ runAsUser: fc.integer(), runAsNonRoot: fc.boolean() })) },
    { requiredKeys: ['image'] },
  );
const podSpec = () =>
  fc.record(
    {
      containers: fc.oneof(fc.array(container(), { maxLength: 3 }), fc.jsonValue({ maxDepth: 1 })),
      initContainers: fc.array(container(), { maxLength: 2 }),
      ephemeralContainers: fc.array(container(), { maxLength: 1 }),
      securityContext: fc.jsonValue({ maxDepth: 1 }),
      nodeSelector: fc.dictionary(text, text, { maxKeys: 2 }),
    },
    { requiredKeys: [] },
  );
const KINDS = ['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicationController', 'ConfigMap'];
const object = fc.record({
  apiVersion: fc.constantFrom('v1', 'apps/v1', 'batch/v1'),
  kind: fc.oneof(fc.constantFrom(...KINDS), text),
  metadata: fc.record({ name: text, namespace: text }, { requiredKeys: [] }),
  spec: fc.oneof(
    podSpec(),
    fc.record({ template: fc.record({ spec: podSpec() }) }),
    fc.record({ jobTemplate: fc.record({ spec: fc.record({ template: fc.record({ spec: podSpec() }) }) }) }),
  ),
});
const structured = fc.record(
  {
    apiVersion: fc.oneof(fc.constant('admission.k8s.io/v1'), text),
    kind: fc.oneof(fc.constant('AdmissionReview'), text),
    request: fc.record(
      {
        uid: fc.oneof(fc.uuid(), text, fc.integer()),
        kind: fc.record({ group: fc.constantFrom('', 'apps', 'batch'), version: fc.constant('v1'), kind: fc.oneof(fc.constantFrom(...KINDS), text) }),
        resource: fc.record({ group: text, version: text, resource: text }),
        subResource: fc.oneof(fc.constantFrom('ephemeralcontainers', 'status'), text),
        operation: fc.oneof(fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'), text),
        namespace: fc.oneof(text, fc.constant('kube-system')),
        name: text,
        userInfo: fc.record({ username: text }),
        dryRun: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 0 })),
        object: fc.oneof(object, fc.jsonValue({ maxDepth: 2 })),
        oldObject: fc.oneof(object, fc.constant(null)),
      },
      { requiredKeys: ['uid', 'kind', 'operation'] },
    ),
  },
  { requiredKeys: ['apiVersion', 'kind'] },
);

/** A body as text: a fuzzed review, a mutated real one, any JSON, or not JSON at all. */
const body = fc.oneof(
  { weight: 4, arbitrary: structured.map((value) => JSON.stringify(value)) },
  { weight: 4, arbitrary: fc.constant(null).chain(() => mutatedFrom(seeds)).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
);

/** The uid the answer must carry, when the body is a review with a string uid. */
function requestUid(bodyText: string): unknown {
  try {
    return (JSON.parse(bodyText) as { request?: { uid?: unknown } } | null)?.request?.uid;
  } catch {
    return undefined;
  }
}

describe('POST /validate with fuzzed AdmissionReview bodies', () => {
  it('answers valid JSON with the right uid, or a 4xx; never a 5xx, never a hang', async () => {
    const statuses = new Map<number, number>();
    await assertProperty(
      'AdmissionReview bodies over HTTPS',
      fc.asyncProperty(body, async (bodyText) => {
        const { status, text: answer } = await post(bodyText);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect(status, answer).toBeLessThan(500);
        if (status === 200) {
          const json = JSON.parse(answer) as { apiVersion: string; kind: string; response: { uid: unknown; allowed: unknown } };
          expect(json.apiVersion).toBe('admission.k8s.io/v1');
          expect(json.kind).toBe('AdmissionReview');
          expect(json.response.uid).toBe(requestUid(bodyText));
          expect(typeof json.response.allowed).toBe('boolean');
        } else {
          expect(status).toBeGreaterThanOrEqual(400);
          expect(() => JSON.parse(answer), answer).not.toThrow();
        }
      }),
      fuzzRuns(300, 0.1),
    );
    // The cases must reach the handler, not only the JSON parser: some answers are verdicts.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    console.log(`AdmissionReview fuzz answers by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
  }, 30 * 60_000);
});
