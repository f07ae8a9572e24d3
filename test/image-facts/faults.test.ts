// Faults the real registry cannot produce on demand (throttling, 5xx, resets, stalls, truncated,
// corrupted and oversized bodies, redirects to a metadata address) are injected by the harness's
// fault proxy in front of the real registry: these are mocks of the network, said so here.
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createImageSource } from '../../src/image-facts/create-image-source.js';
import { RegistryError } from '../../src/registry/errors.js';
import { startFaultProxy, type RunningFaultProxy } from '../harness/fault-proxy.js';
import { buildImage } from '../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from './helpers.js';

const { anonymous } = inject('registries');
let proxy: RunningFaultProxy;
let repository: string;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: anonymous.url });
  repository = uniqueRepository('faults');
  await pushTo(anonymous, repository, 'v1', buildImage({ user: '1000', layers: [{ sizeBytes: 100, seed: 'f' }] }));
});
afterAll(async () => proxy.stop());
beforeEach(() => {
  proxy.setFault(undefined);
  proxy.requests.length = 0;
});

const isManifest = (path: string) => path.includes('/manifests/');
const fastRetry = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 2_000 };

function source() {
  return createImageSource({ insecureRegistries: [proxy.host], retry: fastRetry });
}

async function lookupError(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

describe('registry faults', () => {
  it('retries a 429 after Retry-After and then succeeds', async () => {
    proxy.setFault(({ path }) => (isManifest(path) ? { status: 429, retryAfter: '1', times: 1 } : undefined));
    const started = Date.now();
    const facts = await source().getFacts({ reference: `${proxy.host}/${repository}:v1` });
    expect(facts.user).toBe('1000');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(proxy.requests.filter((r) => isManifest(r.path)).map((r) => r.status)).toEqual([429, 200]);
  });

  it('does not sleep past the deadline for a Retry-After it cannot honour', async () => {
    proxy.setFault(({ path }) => (isManifest(path) ? { status: 429, retryAfter: '30' } : undefined));
    const started = Date.now();
    const error = await lookupError(
      source().getFacts({ reference: `${proxy.host}/${repository}:v1`, deadline: Date.now() + 5_000, signal: AbortSignal.timeout(5_000) }),
    );
    expect(error.code).toBe('TOO_MANY_REQUESTS');
    // Sleeping would have taken the whole 5 s deadline; giving up at once takes milliseconds.
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(proxy.requests).toHaveLength(1);
  });

  it('bounds retries of 500s and reports a temporary server error', async () => {
    proxy.setFault(({ path }) => (isManifest(path) ? { status: 500 } : undefined));
    const error = await lookupError(source().getFacts({ reference: `${proxy.host}/${repository}:v1` }));
    expect(error.code).toBe('SERVER_ERROR');
    expect(error.temporary).toBe(true);
    expect(error.message).toContain(repository);
    expect(proxy.requests).toHaveLength(fastRetry.maxAttempts);
  });

  it('retries a connection reset', async () => {
    proxy.setFault(({ path }) => (isManifest(path) ? { reset: true, times: 1 } : undefined));
    const facts = await source().getFacts({ reference: `${proxy.host}/${repository}:v1` });
    expect(facts.user).toBe('1000');
    expect(proxy.requests.filter((r) => isManifest(r.path))).toHaveLength(2);
  });

  it('answers within the deadline when the registry stalls', async () => {
    proxy.setFault(() => ({ stall: true }));
    const started = Date.now();
    const error = await lookupError(
      source().getFacts({ reference: `${proxy.host}/${repository}:v1`, signal: AbortSignal.timeout(500), deadline: Date.now() + 500 }),
    );
    expect(error.code).toBe('TIMEOUT');
    // A stall with no deadline would hang until the test timeout; generous margin for a busy machine.
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('refuses a corrupted manifest: a digest mismatch is an error, never a fact', async () => {
    proxy.setFault(({ path }) => (isManifest(path) ? { corrupt: true } : undefined));
    const error = await lookupError(source().getFacts({ reference: `${proxy.host}/${repository}:v1` }));
    expect(error.code).toBe('DIGEST_MISMATCH');
    expect(error.message).toContain(repository);
  });

  it('refuses a corrupted config blob', async () => {
    proxy.setFault(({ path }) => (path.includes('/blobs/') ? { corrupt: true } : undefined));
    const error = await lookupError(source().getFacts({ reference: `${proxy.host}/${repository}:v1` }));
    expect(error.code).toBe('DIGEST_MISMATCH');
  });

  it('refuses oversized manifests, announced or chunked', async () => {
    proxy.setFault(({ path }) => (isManifest(path) ? { oversize: 5 * 1024 * 1024 } : undefined));
    expect((await lookupError(source().getFacts({ reference: `${proxy.host}/${repository}:v1` }))).code).toBe('TOO_LARGE');
    proxy.setFault(({ path }) => (isManifest(path) ? { oversize: 5 * 1024 * 1024, chunked: true } : undefined));
    expect((await lookupError(source().getFacts({ reference: `${proxy.host}/${repository}:v1` }))).code).toBe('TOO_LARGE');
  });

  it('retries a truncated body', async () => {
    proxy.setFault(({ path }) => (isManifest(path) ? { truncate: 10, times: 1 } : undefined));
    const facts = await source().getFacts({ reference: `${proxy.host}/${repository}:v1` });
    expect(facts.user).toBe('1000');
  });

  it('refuses to follow a redirect to the cloud metadata address', async () => {
    proxy.setFault(({ path }) => (path.includes('/blobs/') ? { redirect: 'http://169.254.169.254/latest/meta-data/' } : undefined));
    const error = await lookupError(source().getFacts({ reference: `${proxy.host}/${repository}:v1` }));
    expect(error.code).toBe('SSRF_BLOCKED');
    expect(error.message).toContain('169.254.169.254');
  });
});

describe('SSRF guard and host policy on image references', () => {
  it('never contacts a metadata address named by an image reference', async () => {
    const error = await lookupError(createImageSource().getFacts({ reference: '169.254.169.254/latest:meta-data' }));
    expect(error.code).toBe('SSRF_BLOCKED');
  });

  it('refuses loopback registries that were not listed', async () => {
    const error = await lookupError(createImageSource().getFacts({ reference: `${anonymous.host}/${repository}:v1` }));
    expect(error.code).toBe('SSRF_BLOCKED');
    expect(error.message).toContain('--insecure-registry');
  });

  it('refuses registries outside the allow list and inside the deny list', async () => {
    const allowOnly = createImageSource({ insecureRegistries: [anonymous.host], allowRegistries: ['ghcr.io'] });
    expect((await lookupError(allowOnly.getFacts({ reference: `${anonymous.host}/${repository}:v1` }))).code).toBe('HOST_NOT_ALLOWED');
    const denied = createImageSource({ insecureRegistries: [anonymous.host], denyRegistries: [anonymous.host] });
    expect((await lookupError(denied.getFacts({ reference: `${anonymous.host}/${repository}:v1` }))).code).toBe('HOST_NOT_ALLOWED');
  });
});
