import { describe, expect, inject, it } from 'vitest';
import { createImageSource } from '../../src/image-facts/create-image-source.js';
import { ImageFactsError } from '../../src/image-facts/errors.js';
import { createDockerConfigKeychain } from '../../src/registry/docker-config-keychain.js';
import { RegistryError } from '../../src/registry/errors.js';
import { readTokenLog, tokenLogSize } from '../harness/token-server.js';
import { buildImage, buildIndex } from '../harness/oci-image-builder.js';
import { countRequests, pushTo, uniqueRepository } from './helpers.js';

const { anonymous, basic, token } = inject('registries');
// The token server also runs on loopback: its host must be allowed like the registries'
// (the SSRF guard judges token realms like registry URLs).
const insecureRegistries = [anonymous.host, basic.host, token.host, new URL(token.tokenServerUrl).host];

function keychainFor(...registries: { host: string; username: string; password: string }[]) {
  const auths = Object.fromEntries(
    registries.map((r) => [r.host, { auth: Buffer.from(`${r.username}:${r.password}`).toString('base64') }]),
  );
  return createDockerConfigKeychain({ config: { auths }, source: 'test' });
}

const nonRootApp = () =>
  buildImage({
    user: '65532:65532',
    env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'APP_ENV=prod'],
    labels: { 'org.opencontainers.image.source': 'https://example.com/app' },
    annotations: { 'org.opencontainers.image.base.name': 'gcr.io/distroless/static-debian12:nonroot' },
    layers: [{ sizeBytes: 4096, seed: 'base' }, { sizeBytes: 2048, seed: 'app' }],
    history: [
      { created_by: 'ADD rootfs.tar.gz / # buildkit' },
      { created_by: 'USER 65532:65532', empty_layer: true },
      { created_by: 'COPY /out/app /app # buildkit' },
    ],
  });

describe('registry image source against a real registry', () => {
  it('reads a single-platform tag in 2 requests: manifest and config', async () => {
    const repository = uniqueRepository('single');
    const built = nonRootApp();
    const digest = await pushTo(anonymous, repository, 'v1', built);
    const source = createImageSource({ insecureRegistries });
    const { result: facts, requests } = await countRequests(anonymous, repository, () =>
      source.getFacts({ reference: `${anonymous.host}/${repository}:v1` }),
    );
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'GET 200']);
    expect(facts.digest).toBe(digest);
    expect(facts.reference).toBe(`${anonymous.host}/${repository}:v1`);
    expect(facts.user).toBe('65532:65532');
    expect(facts.env).toContain('APP_ENV=prod');
    expect(facts.labels['org.opencontainers.image.source']).toBe('https://example.com/app');
    expect(facts.annotations['org.opencontainers.image.base.name']).toBe('gcr.io/distroless/static-debian12:nonroot');
    expect(facts.platform).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(facts.layers.map((l) => l.digest)).toEqual(built.layers.map((l) => l.digest));
    expect(facts.diffIds).toEqual(built.layers.map((l) => l.diffId));
    expect(facts.compressedSizeBytes).toBe(built.layers.reduce((sum, l) => sum + l.size, 0));
    expect(facts.history.map((h) => h.created_by)).toContain('COPY /out/app /app # buildkit');
    expect(facts.indexDigest).toBeUndefined();
    await source.close();
  });

  it('reads an index tag in 3 requests and picks the wanted platform, skipping attestations', async () => {
    const repository = uniqueRepository('index');
    const amd64 = buildImage({ user: 'root', platform: { os: 'linux', architecture: 'amd64' }, layers: [{ sizeBytes: 1000, seed: 1 }] });
    const arm64 = buildImage({
      user: '1000',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
      layers: [{ sizeBytes: 3000, seed: 2 }],
    });
    const index = buildIndex({ images: [amd64, arm64], attestations: true });
    const indexDigest = await pushTo(anonymous, repository, 'multi', index);
    const source = createImageSource({ insecureRegistries });

    const { result: facts, requests } = await countRequests(anonymous, repository, () =>
      source.getFacts({ reference: `${anonymous.host}/${repository}:multi` }),
    );
    expect(requests).toHaveLength(3);
    expect(facts.indexDigest).toBe(indexDigest);
    expect(facts.digest).toBe(amd64.manifest.digest);
    expect(facts.user).toBe('root');
    expect(facts.attestation?.digest).toBe(index.attestations[0]!.manifest.digest);
    expect(facts.availablePlatforms).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);

    // arm64 and arm64/v8 are the same platform.
    const arm = await source.getFacts({ reference: `${anonymous.host}/${repository}:multi`, platform: { os: 'linux', architecture: 'arm64' } });
    expect(arm.digest).toBe(arm64.manifest.digest);
    expect(arm.platform).toMatchObject({ architecture: 'arm64', variant: 'v8' });
    expect(arm.compressedSizeBytes).toBe(arm64.layers[0]!.size);

    // The provenance attestation is readable on demand and lists the build's materials.
    const provenance = await source.getProvenance({ facts });
    expect(provenance?.predicateType).toBe('https://slsa.dev/provenance/v0.2');
    expect(provenance?.materials.length).toBeGreaterThan(0);

    await expect(
      source.getFacts({ reference: `${anonymous.host}/${repository}:multi`, platform: { os: 'linux', architecture: 's390x' } }),
    ).rejects.toThrow(/no linux\/s390x image in this index \(it has: linux\/amd64, linux\/arm64\/v8\)/);
    await source.close();
  });

  it('reads a digest reference in 2 requests and verifies it', async () => {
    const repository = uniqueRepository('bydigest');
    const built = nonRootApp();
    const digest = await pushTo(anonymous, repository, undefined, built);
    const source = createImageSource({ insecureRegistries });
    const { result: facts, requests } = await countRequests(anonymous, repository, () =>
      source.getFacts({ reference: `${anonymous.host}/${repository}@${digest}` }),
    );
    expect(requests).toHaveLength(2);
    expect(requests[0]!.path).toBe(`/v2/${repository}/manifests/${digest}`);
    expect(facts.digest).toBe(digest);
    await source.close();
  });

  it('makes 200 concurrent lookups of one new image cost the same as one', async () => {
    const repository = uniqueRepository('burst');
    await pushTo(anonymous, repository, 'v1', nonRootApp());
    const source = createImageSource({ insecureRegistries });
    const reference = `${anonymous.host}/${repository}:v1`;
    const { result, requests } = await countRequests(anonymous, repository, () =>
      Promise.all(Array.from({ length: 200 }, () => source.getFacts({ reference }))),
    );
    expect(requests).toHaveLength(2);
    expect(new Set(result.map((f) => f.digest)).size).toBe(1);
    expect(source.stats()).toMatchObject({ misses: 200, entries: 1 });
    await source.close();
  });

  it('serves cached facts without requests, and revalidates an expired tag with one HEAD', async () => {
    const repository = uniqueRepository('cache');
    await pushTo(anonymous, repository, 'v1', nonRootApp());
    let now = 1_000_000;
    const source = createImageSource({ insecureRegistries, cache: { tagTtlMs: 60_000, now: () => now } });
    const reference = `${anonymous.host}/${repository}:v1`;
    const first = await source.getFacts({ reference });

    const warm = await countRequests(anonymous, repository, () => source.getFacts({ reference }));
    expect(warm.requests).toHaveLength(0);
    expect(warm.result.digest).toBe(first.digest);

    const byDigest = await countRequests(anonymous, repository, () =>
      source.getFacts({ reference: `${anonymous.host}/${repository}@${first.digest}` }),
    );
    expect(byDigest.requests).toHaveLength(0);

    now += 61_000;
    const expired = await countRequests(anonymous, repository, () => source.getFacts({ reference }));
    expect(expired.requests.map((r) => r.method)).toEqual(['HEAD']);

    // The tag moves: the HEAD sees a new digest and the new image is read.
    const moved = await pushTo(anonymous, repository, 'v1', buildImage({ user: '0', layers: [{ sizeBytes: 10, seed: 'moved' }] }));
    now += 61_000;
    const after = await source.getFacts({ reference });
    expect(after.digest).toBe(moved);
    expect(after.user).toBe('0');
    expect(source.stats().hits).toBeGreaterThanOrEqual(3);
    await source.close();
  });

  it('names the image and registry when a tag does not exist, and remembers it briefly', async () => {
    const repository = uniqueRepository('missing');
    await pushTo(anonymous, repository, 'v1', nonRootApp());
    const source = createImageSource({ insecureRegistries });
    const reference = `${anonymous.host}/${repository}:nope`;
    const error = await source.getFacts({ reference }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('NOT_FOUND');
    expect((error as Error).message).toContain(`${repository}:nope`);
    expect((error as Error).message).toContain(anonymous.host);
    const again = await countRequests(anonymous, repository, () => source.getFacts({ reference }).catch((e: unknown) => e));
    expect(again.requests).toHaveLength(0);
    expect(again.result).toBe(error);
    await source.close();
  });

  it('rejects an invalid reference with a typed error naming it', async () => {
    const source = createImageSource({ insecureRegistries });
    const error = await source.getFacts({ reference: 'Foo/Bar:latest' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageFactsError);
    expect((error as ImageFactsError).code).toBe('INVALID_REFERENCE');
    expect((error as Error).message).toContain('Foo/Bar:latest');
    await source.close();
  });
});

describe('authentication against real registries', () => {
  it('uses Basic credentials for exactly the registry host they are for', async () => {
    const repository = uniqueRepository('basic');
    const digest = await pushTo(anonymous, repository, 'v1', nonRootApp());
    const source = createImageSource({ insecureRegistries, keychain: keychainFor(basic) });
    const { result: facts, requests } = await countRequests(basic, repository, () =>
      source.getFacts({ reference: `${basic.host}/${repository}:v1` }),
    );
    expect(facts.digest).toBe(digest);
    // One 401 teaches the scheme; then manifest and config.
    expect(requests.map((r) => r.status)).toEqual([401, 200, 200]);

    // A second image on the same registry needs no challenge any more.
    const other = uniqueRepository('basic2');
    await pushTo(anonymous, other, 'v1', nonRootApp());
    const second = await countRequests(basic, other, () => source.getFacts({ reference: `${basic.host}/${other}:v1` }));
    expect(second.requests.map((r) => r.status)).toEqual([200, 200]);
    await source.close();
  });

  it('fails with a clear UNAUTHORIZED error when no credentials match the host', async () => {
    const repository = uniqueRepository('basicnone');
    await pushTo(anonymous, repository, 'v1', nonRootApp());
    // Credentials for the token registry's host must not be sent to the basic registry.
    const source = createImageSource({ insecureRegistries, keychain: keychainFor({ ...basic, host: token.host }) });
    const error = await source.getFacts({ reference: `${basic.host}/${repository}:v1` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('UNAUTHORIZED');
    expect((error as Error).message).toContain(basic.host);
    expect((error as Error).message).not.toContain(basic.password);
    await source.close();
  });

  it('does the bearer token flow and caches the token per scope', async () => {
    const repository = uniqueRepository('token');
    const digest = await pushTo(anonymous, repository, 'v1', nonRootApp());
    await pushTo(anonymous, repository, 'v2', buildImage({ user: '1', layers: [{ sizeBytes: 5, seed: 't2' }] }));
    const source = createImageSource({ insecureRegistries, keychain: keychainFor(token) });
    const tokensBefore = tokenLogSize(token.tokenLogPath);
    const { result: facts, requests } = await countRequests(token, repository, () =>
      source.getFacts({ reference: `${token.host}/${repository}:v1` }),
    );
    expect(facts.digest).toBe(digest);
    expect(requests.map((r) => r.status)).toEqual([401, 200, 200]);
    const second = await countRequests(token, repository, () => source.getFacts({ reference: `${token.host}/${repository}:v2` }));
    expect(second.requests.map((r) => r.status)).toEqual([200, 200]);
    const tokenRequests = readTokenLog(token.tokenLogPath, { since: tokensBefore, repository });
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toMatchObject({ authPresented: true, username: token.username });
    await source.close();
  });

  it('is refused by the token registry without credentials, with a message that says what to add', async () => {
    const repository = uniqueRepository('tokennone');
    await pushTo(anonymous, repository, 'v1', nonRootApp());
    const source = createImageSource({ insecureRegistries });
    const error = await source.getFacts({ reference: `${token.host}/${repository}:v1` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(['UNAUTHORIZED', 'DENIED']).toContain((error as RegistryError).code);
    expect((error as Error).message).toMatch(/pull secret|docker config|credentials|authentication/);
    await source.close();
  });
});
