// Registry faults at the admission level: real HTTPS AdmissionReviews to the built `slimguard serve`
// for an image behind a failing registry. The registry is the real harness registry; the faults a
// real registry cannot be made to produce on demand (stalls, 429 with Retry-After, 500s, resets,
// truncated, corrupted and oversized bodies, a redirect to the metadata address) are injected by
// the fault proxy in front of it (test/harness/fault-proxy.ts) — a fake of the network, said so
// here. "Registry down" needs no fake: it is a loopback port nothing listens on.
//
// Every case checks: the answer comes before the API server's `?timeout=`, it is the decision
// `onRegistryError` says (allow with a warning naming the image and the cause, or deny), the
// process still answers /healthz, and the registry saw a bounded number of requests.
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFaultProxy, type Fault, type ProxiedRequest, type RunningFaultProxy } from '../harness/fault-proxy.js';
import { buildImage, type BuiltImage } from '../harness/oci-image-builder.js';
import { policyYaml, startServeProcess, type ReviewAnswer, type ServeProcess } from '../harness/serve-process.js';
import { pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { admissionReview, deployment } from '../webhook/objects.js';

const { anonymous } = inject('registries');
/** The API server's timeout for these reviews; the webhook keeps 1 s of it for the way back. */
const TIMEOUT_SECONDS = 4;
/** The default retry policy of `slimguard serve` (src/registry/retry.ts DEFAULT_RETRY). */
const MAX_ATTEMPTS = 3;
const BASE_DELAY_MS = 200;

let proxy: RunningFaultProxy;
let downHost: string;
let allowServer: ServeProcess;
let denyServer: ServeProcess;
let repository: string;
let image: BuiltImage;
let tagCount = 0;

/** A host:port on loopback where nothing listens: connection refused, like a registry that is down. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** Pushes the root image under a tag no earlier case used, so no cache hides the fault. */
async function freshImage(): Promise<{ reference: string; tag: string }> {
  const tag = `t${++tagCount}`;
  await pushTo(anonymous, repository, tag, image);
  return { reference: `${proxy.host}/${repository}:${tag}`, tag };
}

const manifestOf = (tag: string) => (request: ProxiedRequest) => request.path.startsWith(`/v2/${repository}/manifests/${tag}`);
const isManifest = (path: string) => path.includes('/manifests/');
const isBlob = (path: string) => path.includes('/blobs/');

async function reviewOn(server: ServeProcess, reference: string): Promise<{ answer: ReviewAnswer; uid: string }> {
  const review = admissionReview(deployment('web', reference));
  const answer = await server.review(review, TIMEOUT_SECONDS);
  return { answer, uid: review.request.uid as string };
}

/** The answer every fault must get: 200, valid JSON, the right uid, before the timeout. */
function expectAnsweredInTime({ answer, uid }: { answer: ReviewAnswer; uid: string }) {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.json?.response?.uid).toBe(uid);
  expect(answer.elapsedMs).toBeLessThan(TIMEOUT_SECONDS * 1000);
}

/** onRegistryError: allow — admitted, with a warning that names the image and the cause. */
function expectAllowedWithWarning(result: { answer: ReviewAnswer; uid: string }, reference: string, cause: RegExp) {
  expectAnsweredInTime(result);
  const response = result.answer.json!.response;
  expect(response.allowed).toBe(true);
  const warning = (response.warnings as string[]).find((w) => w.startsWith('[registry] '));
  expect(warning).toContain(`cannot read ${reference}`);
  expect(warning).toMatch(cause);
}

/** onRegistryError: deny — refused with the registry failure as the reason. */
function expectDeniedForRegistry(result: { answer: ReviewAnswer; uid: string }, reference: string, cause: RegExp) {
  expectAnsweredInTime(result);
  const response = result.answer.json!.response;
  expect(response.allowed).toBe(false);
  expect(response.status.message).toContain(`[registry] cannot read ${reference}`);
  expect(response.status.message).toMatch(cause);
  expect(response.status.message).toContain('onRegistryError: deny');
}

async function expectStillUp() {
  for (const server of [allowServer, denyServer]) {
    expect(server.running()).toBe(true);
    expect(await server.healthz()).toBe(200);
  }
}

beforeAll(async () => {
  proxy = await startFaultProxy({ target: anonymous.url });
  downHost = await closedPort();
  repository = uniqueRepository('resilience');
  image = buildImage({ user: '', layers: [{ sizeBytes: 200, seed: 'resilience' }] });
  const insecureRegistries = [proxy.host, anonymous.host, downHost];
  [allowServer, denyServer] = await Promise.all([
    startServeProcess({ policy: policyYaml('enforce', 'allow'), insecureRegistries }),
    startServeProcess({ policy: policyYaml('enforce', 'deny'), insecureRegistries }),
  ]);
});

afterAll(async () => {
  await Promise.all([allowServer?.stop(), denyServer?.stop()]);
  await proxy?.stop();
});

interface FaultCase {
  name: string;
  fault: (path: string) => Fault | undefined;
  /** What the warning or deny message must say about the cause. */
  cause: RegExp;
  /** Most requests the proxy may see for the faulted manifest, per admission. */
  maxManifestRequests: number;
}

const FAULTS: FaultCase[] = [
  { name: 'slow past the deadline (stall)', fault: () => ({ stall: true }), cause: /no answer from the registry before the deadline/, maxManifestRequests: MAX_ATTEMPTS },
  {
    name: '429 with a Retry-After longer than the deadline',
    fault: (path) => (isManifest(path) ? { status: 429, retryAfter: '30' } : undefined),
    cause: /rate limited.*HTTP 429/,
    // Sleeping 30 s cannot fit the deadline, so it gives up at once instead of retrying.
    maxManifestRequests: 1,
  },
  { name: '500 on every try', fault: (path) => (isManifest(path) ? { status: 500 } : undefined), cause: /server error.*HTTP 500/, maxManifestRequests: MAX_ATTEMPTS },
  { name: 'connection reset on every try', fault: (path) => (isManifest(path) ? { reset: true } : undefined), cause: /cannot reach .*ECONNRESET/, maxManifestRequests: MAX_ATTEMPTS },
  { name: 'truncated manifest on every try', fault: (path) => (isManifest(path) ? { truncate: 20 } : undefined), cause: /cannot reach .*UND_ERR_SOCKET/, maxManifestRequests: MAX_ATTEMPTS },
  { name: 'corrupted manifest (digest mismatch)', fault: (path) => (isManifest(path) ? { corrupt: true } : undefined), cause: /manifest content does not match its digest/, maxManifestRequests: MAX_ATTEMPTS },
  { name: 'corrupted config blob', fault: (path) => (isBlob(path) ? { corrupt: true } : undefined), cause: /blob sha256:.* content does not match its digest/, maxManifestRequests: 1 },
  { name: 'oversized manifest (Content-Length)', fault: (path) => (isManifest(path) ? { oversize: 5 * 1024 * 1024 } : undefined), cause: /manifest is larger than slimguard's limit/, maxManifestRequests: 1 },
  {
    name: 'oversized manifest (chunked, no length)',
    fault: (path) => (isManifest(path) ? { oversize: 5 * 1024 * 1024, chunked: true } : undefined),
    cause: /manifest is larger than slimguard's limit/,
    maxManifestRequests: 1,
  },
  {
    name: 'redirect to the cloud metadata address',
    fault: (path) => (isBlob(path) ? { redirect: 'http://169.254.169.254/latest/meta-data/' } : undefined),
    cause: /169\.254\.169\.254/,
    maxManifestRequests: 1,
  },
];

describe('admission answers while the registry fails', () => {
  it.each(FAULTS)('$name: answered in time with the onRegistryError decision', async ({ fault, cause, maxManifestRequests }) => {
    const [forAllow, forDeny] = [await freshImage(), await freshImage()];
    proxy.setFault(({ path }) => fault(path));
    const seenBefore = proxy.requests.length;
    try {
      const [allowed, denied] = await Promise.all([reviewOn(allowServer, forAllow.reference), reviewOn(denyServer, forDeny.reference)]);
      expectAllowedWithWarning(allowed, forAllow.reference, cause);
      expectDeniedForRegistry(denied, forDeny.reference, cause);
    } finally {
      proxy.setFault(undefined);
    }
    const seen = proxy.requests.slice(seenBefore);
    for (const { tag } of [forAllow, forDeny]) {
      const manifests = seen.filter(manifestOf(tag));
      expect(manifests.length).toBeGreaterThanOrEqual(1);
      expect(manifests.length).toBeLessThanOrEqual(maxManifestRequests);
    }
    await expectStillUp();
  });

  it('registry down (connection refused): answered in time with the onRegistryError decision', async () => {
    const reference = `${downHost}/${repository}:down`;
    const [allowed, denied] = await Promise.all([reviewOn(allowServer, reference), reviewOn(denyServer, reference)]);
    expectAllowedWithWarning(allowed, reference, /cannot reach .*ECONNREFUSED/);
    expectDeniedForRegistry(denied, reference, /cannot reach .*ECONNREFUSED/);
    await expectStillUp();
  });

  it('500s are retried a bounded number of times, with backoff between tries', async () => {
    const { reference, tag } = await freshImage();
    proxy.setFault(({ path }) => (isManifest(path) ? { status: 500 } : undefined));
    const seenBefore = proxy.requests.length;
    try {
      expectAllowedWithWarning(await reviewOn(allowServer, reference), reference, /server error.*HTTP 500/);
    } finally {
      proxy.setFault(undefined);
    }
    const tries = proxy.requests.slice(seenBefore).filter(manifestOf(tag));
    expect(tries).toHaveLength(MAX_ATTEMPTS);
    // Full jitter waits between half and all of base * 2^(n-1): at least 100 ms, then 200 ms.
    for (let i = 1; i < tries.length; i++) {
      expect(tries[i]!.at - tries[i - 1]!.at).toBeGreaterThanOrEqual((BASE_DELAY_MS * 2 ** (i - 1)) / 2 - 5);
    }
  });

  it('a 429 with Retry-After is honoured: it waits that long, retries once, and judges the image', async () => {
    const { reference, tag } = await freshImage();
    proxy.setFault(({ path }) => (path.endsWith(`/manifests/${tag}`) ? { status: 429, retryAfter: '1', times: 1 } : undefined));
    const seenBefore = proxy.requests.length;
    try {
      const { answer, uid } = await reviewOn(allowServer, reference);
      expectAnsweredInTime({ answer, uid });
      // The image is really judged after the retry: a root image under enforce is denied.
      expect(answer.json!.response.allowed).toBe(false);
      expect(answer.json!.response.status.message).toContain('[runAsRoot]');
    } finally {
      proxy.setFault(undefined);
    }
    const tries = proxy.requests.slice(seenBefore).filter(manifestOf(tag));
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('a truncated body once is retried and the image judged', async () => {
    const { reference, tag } = await freshImage();
    proxy.setFault(({ path }) => (path.endsWith(`/manifests/${tag}`) ? { truncate: 20, times: 1 } : undefined));
    try {
      const { answer } = await reviewOn(allowServer, reference);
      expect(answer.json!.response.allowed).toBe(false);
      expect(answer.json!.response.status.message).toContain('[runAsRoot]');
    } finally {
      proxy.setFault(undefined);
    }
    expect(proxy.requests.filter(manifestOf(tag)).length).toBe(2);
  });

  it('judges normally again once the registry recovers', async () => {
    const { reference } = await freshImage();
    const { answer } = await reviewOn(allowServer, reference);
    expect(answer.json!.response.allowed).toBe(false);
    expect(answer.json!.response.status.message).toContain('[runAsRoot]');
  });
});
