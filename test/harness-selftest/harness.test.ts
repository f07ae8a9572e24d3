// Proves the test harness itself: real registries (anonymous, basic, token) sharing storage,
// the token server, the image builder, push, access log, OCI layout, and the fault proxy.
// The fault proxy's faults are mocked because the real registry cannot produce them on demand.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { accessLogSize, readAccessLog, waitForAccessLog, waitForLogQuiet } from '../harness/access-log.js';
import { startFaultProxy, type RunningFaultProxy } from '../harness/fault-proxy.js';
import {
  MEDIA_TYPES,
  buildImage,
  buildIndex,
  buildTar,
  sha256Digest,
  writeOciLayout,
  type BuiltImage,
  type BuiltIndex,
} from '../harness/oci-image-builder.js';
import { pushImage } from '../harness/push.js';
import { RegistryStartError, startRegistry } from '../harness/registry.js';
import { readTokenLog, startTokenServer, tokenLogSize } from '../harness/token-server.js';

const registries = inject('registries');
const ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.dockerManifest].join(', ');
const run = randomBytes(4).toString('hex');

function basicAuth(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await request(url, { method: 'GET', headers: { accept: ACCEPT, ...headers } });
  const body = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers, body };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function parseChallenge(value: string): { scheme: string; params: Record<string, string> } {
  const space = value.indexOf(' ');
  const params: Record<string, string> = {};
  for (const match of value.slice(space + 1).matchAll(/(\w+)="([^"]*)"/g)) params[match[1]!] = match[2]!;
  return { scheme: value.slice(0, space), params };
}

/** The distribution token dance, by hand: 401 -> token from the realm -> retry with Bearer. */
async function getWithToken(url: string, tokenAuthorization?: string) {
  const first = await get(url);
  expect(first.status).toBe(401);
  const challenge = parseChallenge(header(first.headers, 'www-authenticate'));
  expect(challenge.scheme).toBe('Bearer');
  const tokenUrl = new URL(challenge.params.realm!);
  tokenUrl.searchParams.set('service', challenge.params.service!);
  tokenUrl.searchParams.set('scope', challenge.params.scope!);
  const tokenResponse = await get(tokenUrl.toString(), tokenAuthorization ? { authorization: tokenAuthorization } : {});
  expect(tokenResponse.status).toBe(200);
  const token = JSON.parse(tokenResponse.body.toString()) as { token: string; access_token: string; expires_in: number; issued_at: string };
  expect(token.access_token).toBe(token.token);
  return { challenge, token, response: await get(url, { authorization: `Bearer ${token.token}` }) };
}

describe('registries from globalSetup', () => {
  it('answers /v2/ as anonymous, basic and token registries', async () => {
    expect((await get(`${registries.anonymous.url}/v2/`)).status).toBe(200);

    const basic = await get(`${registries.basic.url}/v2/`);
    expect(basic.status).toBe(401);
    expect(header(basic.headers, 'www-authenticate')).toMatch(/^Basic realm=/);
    const withCredentials = await get(`${registries.basic.url}/v2/`, {
      authorization: basicAuth(registries.basic.username, registries.basic.password),
    });
    expect(withCredentials.status).toBe(200);
    const wrongPassword = await get(`${registries.basic.url}/v2/`, { authorization: basicAuth(registries.basic.username, 'wrong') });
    expect(wrongPassword.status).toBe(401);

    const token = await get(`${registries.token.url}/v2/`);
    expect(token.status).toBe(401);
    const challenge = parseChallenge(header(token.headers, 'www-authenticate'));
    expect(challenge).toEqual({
      scheme: 'Bearer',
      params: { realm: `${registries.token.tokenServerUrl}/token`, service: registries.token.service },
    });
    expect(registries.token.realm).toBe(challenge.params.realm);
  });
});

describe('registries started by a test', () => {
  it('pairs a token server of its own (short tokens, anonymous pull) with a registry on the shared storage', async () => {
    const repository = `selftest/own-${run}`;
    const image = buildImage({ layers: [{ sizeBytes: 256, seed: `own-${run}` }] });
    await pushImage(registries.anonymous, repository, 'v1', image);
    const tokenServer = await startTokenServer({ expiresIn: 5, anonymousActions: ['pull'] });
    const registry = await startRegistry({ auth: 'token', storageDir: inject('storageDir'), token: tokenServer.registryAuth });
    try {
      const { token, response } = await getWithToken(`${registry.url}/v2/${repository}/manifests/v1`);
      expect(token.expires_in).toBe(5);
      expect(response.status).toBe(200);
      expect(tokenServer.records).toMatchObject([{ authPresented: false, granted: [{ name: repository, actions: ['pull'] }] }]);
    } finally {
      await registry.stop();
      await tokenServer.stop();
    }
    await expect(get(`${registry.url}/v2/`)).rejects.toThrow();
  });

  it('fails to start with the registry log tail when the registry exits', async () => {
    const start = startRegistry({
      auth: 'token',
      storageDir: inject('storageDir'),
      token: { realm: 'http://127.0.0.1:1/token', service: 's', issuer: 'i', rootCertBundlePath: '/nonexistent/bundle.pem' },
    });
    await expect(start).rejects.toThrow(RegistryStartError);
    await expect(start).rejects.toThrow(/exited during start[\s\S]*bundle\.pem/);
  });
});

describe('a single-platform image', () => {
  const repository = `selftest/single-${run}`;
  const passwd = 'root:x:0:0:root:/root:/bin/sh\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n';
  const options = {
    user: '65532:65532',
    env: ['PATH=/usr/bin', 'APP=demo'],
    labels: { 'org.opencontainers.image.title': 'demo' },
    layers: [{ files: [{ path: 'etc/passwd', content: passwd }] }, { sizeBytes: 64 * 1024 }],
  };
  const image = buildImage(options);
  let digest = '';
  let logStart = 0;

  beforeAll(async () => {
    logStart = accessLogSize(registries.anonymous.accessLogPath);
    digest = await pushImage(registries.anonymous, repository, 'v1', image);
  });

  it('is built deterministically, with diff IDs of the uncompressed layers', () => {
    expect(buildImage(options).manifest.digest).toBe(image.manifest.digest);
    expect(buildImage({ ...options, user: 'root' }).manifest.digest).not.toBe(image.manifest.digest);
    const config = JSON.parse(Buffer.from(image.config.bytes).toString()) as { config: { User: string }; rootfs: { diff_ids: string[] }; history: unknown[] };
    expect(config.config.User).toBe('65532:65532');
    expect(config.rootfs.diff_ids).toEqual(image.layers.map((layer) => layer.diffId));
    expect(config.history).toHaveLength(2);
    // Random content does not compress: the gzip layer is about as big as asked for.
    expect(image.layers[1]!.size).toBeGreaterThan(64 * 1024);
    expect(image.compressedSize).toBe(image.layers[0]!.size + image.layers[1]!.size);
    expect(image.manifest.digest).toBe(sha256Digest(image.manifest.bytes));
  });

  it('is pushed to the anonymous registry and read back there', async () => {
    expect(digest).toBe(image.manifest.digest);
    for (const reference of ['v1', digest]) {
      const response = await get(`${registries.anonymous.url}/v2/${repository}/manifests/${reference}`);
      expect(response.status).toBe(200);
      expect(header(response.headers, 'content-type')).toBe(MEDIA_TYPES.ociManifest);
      expect(header(response.headers, 'docker-content-digest')).toBe(digest);
      expect(response.body.equals(Buffer.from(image.manifest.bytes))).toBe(true);
    }
    const layer = await get(`${registries.anonymous.url}/v2/${repository}/blobs/${image.layers[1]!.digest}`);
    expect(sha256Digest(layer.body)).toBe(image.layers[1]!.digest);
  });

  it('is visible through the basic-auth registry with credentials only', async () => {
    const url = `${registries.basic.url}/v2/${repository}/manifests/v1`;
    expect((await get(url)).status).toBe(401);
    const response = await get(url, { authorization: basicAuth(registries.basic.username, registries.basic.password) });
    expect(response.status).toBe(200);
    expect(header(response.headers, 'docker-content-digest')).toBe(digest);
  });

  it('is visible through the token registry after the token dance, and the token server records it', async () => {
    const tokenLogStart = tokenLogSize(registries.token.tokenLogPath);
    const url = `${registries.token.url}/v2/${repository}/manifests/v1`;
    const { challenge, token, response } = await getWithToken(url, basicAuth(registries.token.username, registries.token.password));
    expect(challenge.params.scope).toBe(`repository:${repository}:pull`);
    expect(token.expires_in).toBe(300);
    expect(response.status).toBe(200);
    expect(response.body.equals(Buffer.from(image.manifest.bytes))).toBe(true);

    const [header64, claims64] = token.token.split('.');
    const jwtHeader = JSON.parse(Buffer.from(header64!, 'base64url').toString()) as { alg: string; x5c: string[] };
    const claims = JSON.parse(Buffer.from(claims64!, 'base64url').toString()) as Record<string, unknown>;
    expect(jwtHeader.alg).toBe('RS256');
    expect(jwtHeader.x5c).toHaveLength(1);
    expect(claims).toMatchObject({
      sub: registries.token.username,
      aud: registries.token.service,
      access: [{ type: 'repository', name: repository, actions: ['pull'] }],
    });

    const records = readTokenLog(registries.token.tokenLogPath, { since: tokenLogStart, repository });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ method: 'GET', authPresented: true, authenticated: true, username: registries.token.username, status: 200 });
    expect(readFileSync(registries.token.tokenLogPath, 'utf8')).not.toContain(registries.token.password);
  });

  it('gives anonymous clients of the token registry a token without access', async () => {
    const tokenLogStart = tokenLogSize(registries.token.tokenLogPath);
    const { token, response } = await getWithToken(`${registries.token.url}/v2/${repository}/manifests/v1`);
    expect(response.status).toBe(401);
    expect(header(response.headers, 'www-authenticate')).toContain('error="insufficient_scope"');
    const claims = JSON.parse(Buffer.from(token.token.split('.')[1]!, 'base64url').toString()) as { access: unknown[] };
    expect(claims.access).toEqual([]);
    expect(readTokenLog(registries.token.tokenLogPath, { since: tokenLogStart, repository })).toMatchObject([
      { authPresented: false, authenticated: false, granted: [] },
    ]);
  });

  it('answers OAuth2 POST grants (password, then refresh_token) with tokens the registry accepts', async () => {
    const tokenLogStart = tokenLogSize(registries.token.tokenLogPath);
    const post = async (form: Record<string, string>) => {
      const response = await request(registries.token.realm, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
      return { status: response.statusCode, body: (await response.body.json()) as Record<string, string> };
    };
    const common = { service: registries.token.service, scope: `repository:${repository}:pull`, client_id: 'slimguard-selftest' };
    const bad = await post({ ...common, grant_type: 'password', username: registries.token.username, password: 'wrong' });
    expect(bad.status).toBe(401);
    const first = await post({ ...common, grant_type: 'password', username: registries.token.username, password: registries.token.password, access_type: 'offline' });
    expect(first.status).toBe(200);
    expect(first.body.refresh_token).toBeTruthy();
    const second = await post({ ...common, grant_type: 'refresh_token', refresh_token: first.body.refresh_token! });
    expect(second.status).toBe(200);
    const response = await get(`${registries.token.url}/v2/${repository}/manifests/v1`, { authorization: `Bearer ${second.body.access_token}` });
    expect(response.status).toBe(200);
    expect(readTokenLog(registries.token.tokenLogPath, { since: tokenLogStart, repository }).map((r) => [r.method, r.grantType, r.status])).toEqual([
      ['POST', 'password', 401],
      ['POST', 'password', 200],
      ['POST', 'refresh_token', 200],
    ]);
    expect(readFileSync(registries.token.tokenLogPath, 'utf8')).not.toContain(first.body.refresh_token);
  });

  it('shows the push in the access log of the anonymous registry', async () => {
    await waitForLogQuiet(registries.anonymous.accessLogPath);
    const entries = readAccessLog(registries.anonymous.accessLogPath, { since: logStart, repository });
    const pushed = entries.filter((entry) => entry.method !== 'GET');
    // Per blob (config + 2 layers): HEAD 404, POST 202, PUT 201; then the manifest PUT by tag.
    expect(pushed.map((entry) => `${entry.method} ${entry.status}`).sort()).toEqual(
      [...Array(3).fill(['HEAD 404', 'POST 202', 'PUT 201']).flat(), 'PUT 201'].sort(),
    );
    expect(pushed.at(-1)).toMatchObject({ method: 'PUT', path: `/v2/${repository}/manifests/v1`, status: 201 });
    const sizeBefore = accessLogSize(registries.anonymous.accessLogPath);
    await get(`${registries.anonymous.url}/v2/${repository}/manifests/v1`);
    const mine = await waitForAccessLog(registries.anonymous.accessLogPath, (found) => found.length >= 1, { since: sizeBefore, repository });
    expect(mine).toMatchObject([{ method: 'GET', path: `/v2/${repository}/manifests/v1`, status: 200 }]);
    // A nested repository name does not count as this one.
    expect(readAccessLog(registries.anonymous.accessLogPath, { repository: 'selftest' })).toEqual([]);
  });

  it('skips blobs the registry already has on a second push', async () => {
    const sizeBefore = accessLogSize(registries.anonymous.accessLogPath);
    await pushImage(registries.anonymous, repository, 'v1-again', image);
    await waitForLogQuiet(registries.anonymous.accessLogPath);
    const entries = readAccessLog(registries.anonymous.accessLogPath, { since: sizeBefore, repository });
    expect(entries.map((entry) => `${entry.method} ${entry.status}`)).toEqual(['HEAD 200', 'HEAD 200', 'HEAD 200', 'PUT 201']);
  });
});

describe('a multi-platform index with BuildKit attestations', () => {
  const repository = `selftest/index-${run}`;
  const amd64 = buildImage({ platform: { os: 'linux', architecture: 'amd64' }, layers: [{ sizeBytes: 2048, seed: 'amd64' }] });
  const arm64 = buildImage({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ sizeBytes: 2048, seed: 'arm64' }] });
  const index: BuiltIndex = buildIndex({ images: [amd64, arm64], attestations: true });

  it('is pushed and read back through all three registries', async () => {
    const digest = await pushImage(registries.anonymous, repository, 'multi', index);
    expect(digest).toBe(index.manifest.digest);
    const url = (base: string) => `${base}/v2/${repository}/manifests/multi`;
    const anonymous = await get(url(registries.anonymous.url));
    const basic = await get(url(registries.basic.url), { authorization: basicAuth(registries.basic.username, registries.basic.password) });
    const { response: token } = await getWithToken(url(registries.token.url), basicAuth(registries.token.username, registries.token.password));
    for (const response of [anonymous, basic, token]) {
      expect(response.status).toBe(200);
      expect(header(response.headers, 'content-type')).toBe(MEDIA_TYPES.ociIndex);
      expect(header(response.headers, 'docker-content-digest')).toBe(digest);
    }
  });

  it('lists the platforms and one attestation manifest per image, as BuildKit does', async () => {
    const response = await get(`${registries.anonymous.url}/v2/${repository}/manifests/${index.manifest.digest}`);
    const document = JSON.parse(response.body.toString()) as {
      manifests: { digest: string; platform: Record<string, string>; annotations?: Record<string, string> }[];
    };
    expect(document.manifests.map((entry) => entry.platform)).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux', variant: 'v8' },
      { architecture: 'unknown', os: 'unknown' },
      { architecture: 'unknown', os: 'unknown' },
    ]);
    expect(document.manifests[2]!.annotations).toEqual({
      'vnd.docker.reference.digest': amd64.manifest.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    });

    const attestation = await get(`${registries.anonymous.url}/v2/${repository}/manifests/${document.manifests[3]!.digest}`);
    const manifest = JSON.parse(attestation.body.toString()) as { layers: { mediaType: string; digest: string; annotations: Record<string, string> }[] };
    expect(manifest.layers[0]).toMatchObject({
      mediaType: 'application/vnd.in-toto+json',
      annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
    });
    const statement = JSON.parse((await get(`${registries.anonymous.url}/v2/${repository}/blobs/${manifest.layers[0]!.digest}`)).body.toString()) as {
      subject: { digest: { sha256: string } }[];
      predicate: { materials: { uri: string }[] };
    };
    expect(statement.subject[0]!.digest.sha256).toBe(arm64.manifest.digest.slice('sha256:'.length));
    expect(statement.predicate.materials.map((material) => material.uri)).toEqual([
      'pkg:docker/golang@1.22-bookworm?platform=linux%2Farm64%2Fv8',
      'pkg:docker/gcr.io/distroless/static-debian12@nonroot?platform=linux%2Farm64%2Fv8',
    ]);
  });

  it('pushes Docker schema 2 manifest lists too', async () => {
    const docker = buildImage({ mediaTypeFlavor: 'docker', layers: [{ sizeBytes: 512, seed: 'docker' }] });
    const list = buildIndex({ images: [docker], flavor: 'docker' });
    await pushImage(registries.anonymous, repository, 'docker', list);
    const response = await get(`${registries.anonymous.url}/v2/${repository}/manifests/docker`);
    expect(header(response.headers, 'content-type')).toBe(MEDIA_TYPES.dockerManifestList);
    const child = await get(`${registries.anonymous.url}/v2/${repository}/manifests/${docker.manifest.digest}`);
    expect(header(child.headers, 'content-type')).toBe(MEDIA_TYPES.dockerManifest);
    expect(() => buildIndex({ images: [docker], flavor: 'docker', attestations: true })).toThrow(/OCI index/);
  });
});

describe('writeOciLayout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slimguard-selftest-layout-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const image: BuiltImage = buildImage({
    user: 'app',
    layers: [{ files: [{ path: 'etc/passwd', content: 'app:x:1000:1000::/app:/bin/false\n' }, { path: 'app/run', content: '#!/bin/sh\n', mode: 0o755 }] }],
  });
  const index = buildIndex({ images: [image], attestations: true });

  it('writes a layout skopeo reads, by tag, for images and indexes', async () => {
    await writeOciLayout(dir, { v1: image });
    await writeOciLayout(dir, { multi: index }); // adds to the existing index.json
    const raw = (ref: string) => execFileSync('skopeo', ['inspect', '--raw', `oci:${dir}:${ref}`]);
    expect(raw('v1').equals(Buffer.from(image.manifest.bytes))).toBe(true);
    expect(raw('multi').equals(Buffer.from(index.manifest.bytes))).toBe(true);
    const config = JSON.parse(execFileSync('skopeo', ['inspect', '--config', `oci:${dir}:v1`], { encoding: 'utf8' })) as { config: { User: string } };
    expect(config.config.User).toBe('app');
    const layoutIndex = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { annotations: Record<string, string> }[] };
    expect(layoutIndex.manifests.map((entry) => entry.annotations['org.opencontainers.image.ref.name'])).toEqual(['v1', 'multi']);
  });

  it('holds layers that are real tar archives (umoci unpacks them)', async () => {
    await writeOciLayout(dir, { v1: image });
    const bundle = join(dir, '..', `${run}-bundle`);
    try {
      execFileSync('umoci', ['unpack', '--rootless', '--image', `${dir}:v1`, bundle], { stdio: 'pipe' });
      expect(readFileSync(join(bundle, 'rootfs', 'etc', 'passwd'), 'utf8')).toBe('app:x:1000:1000::/app:/bin/false\n');
    } finally {
      rmSync(bundle, { recursive: true, force: true });
    }
  });

  it('builds tar archives with parent directories and long paths', () => {
    const long = `${'d'.repeat(80)}/${'f'.repeat(60)}`;
    const tar = buildTar([{ path: long, content: 'x' }]);
    expect(tar.length % 512).toBe(0);
    expect(tar.subarray(0, 81).toString()).toBe(`${'d'.repeat(80)}/`);
  });
});

describe('fault proxy', () => {
  // These faults are mocked because the real registry cannot produce them on demand.
  const repository = `selftest/faults-${run}`;
  const image = buildImage({ layers: [{ sizeBytes: 8192, seed: 'faults' }] });
  const manifestPath = `/v2/${repository}/manifests/v1`;
  let proxy: RunningFaultProxy;

  beforeAll(async () => {
    await pushImage(registries.anonymous, repository, 'v1', image);
    proxy = await startFaultProxy({ target: registries.anonymous.url });
  });
  afterAll(async () => proxy.stop());

  it('passes everything through unchanged without a fault, pushes included', async () => {
    proxy.setFault(undefined);
    const response = await get(`${proxy.url}${manifestPath}`);
    expect(response.status).toBe(200);
    expect(response.body.equals(Buffer.from(image.manifest.bytes))).toBe(true);
    // The upload Location names the proxy (Host is passed through), so the PUT comes here too.
    const other = buildImage({ layers: [{ sizeBytes: 300, seed: `proxy-${run}` }] });
    await pushImage(proxy, repository, 'via-proxy', other);
    expect(proxy.requests.filter((entry) => entry.method === 'PUT' && entry.path.includes('/blobs/uploads/'))).not.toHaveLength(0);
  });

  it('answers 429 with Retry-After the given number of times, then passes through', async () => {
    proxy.setFault((req) => (req.path === manifestPath ? { status: 429, retryAfter: '2', times: 2 } : undefined));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await get(`${proxy.url}${manifestPath}`);
      statuses.push(response.status);
      if (response.status === 429) {
        expect(header(response.headers, 'retry-after')).toBe('2');
        expect(JSON.parse(response.body.toString())).toMatchObject({ errors: [{ code: 'TOOMANYREQUESTS' }] });
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
    expect(proxy.requests.slice(-3).map((entry) => [entry.status, entry.fault])).toEqual([
      [429, 'status 429'],
      [429, 'status 429'],
      [200, undefined],
    ]);
  });

  it('answers 500 and 503', async () => {
    for (const status of [500, 503]) {
      proxy.setFault(() => ({ status }));
      expect((await get(`${proxy.url}${manifestPath}`)).status).toBe(status);
    }
  });

  it('resets the connection', async () => {
    proxy.setFault(() => ({ reset: true }));
    await expect(get(`${proxy.url}${manifestPath}`)).rejects.toThrow();
    expect(proxy.requests.at(-1)).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('stalls without answering', async () => {
    proxy.setFault(() => ({ stall: true }));
    await expect(request(`${proxy.url}${manifestPath}`, { headersTimeout: 300 })).rejects.toThrow(/timeout/i);
    expect(proxy.requests.at(-1)).toMatchObject({ status: 0, fault: 'stall' });
  });

  it('truncates a body after the given bytes', async () => {
    const layer = image.layers[0]!;
    proxy.setFault((req) => (req.path.includes('/blobs/') ? { truncate: 1000 } : undefined));
    const response = await request(`${proxy.url}/v2/${repository}/blobs/${layer.digest}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(layer.size));
    await expect(response.body.arrayBuffer()).rejects.toThrow();
  });

  it('corrupts one byte of the body and keeps the headers', async () => {
    proxy.setFault(() => ({ corrupt: true }));
    const response = await get(`${proxy.url}${manifestPath}`);
    expect(response.status).toBe(200);
    expect(header(response.headers, 'docker-content-digest')).toBe(image.manifest.digest);
    expect(response.body.length).toBe(image.manifest.size);
    expect(sha256Digest(response.body)).not.toBe(image.manifest.digest);
    expect(() => JSON.parse(response.body.toString())).not.toThrow(); // only the digest betrays it

    const layer = image.layers[0]!;
    const blob = await get(`${proxy.url}/v2/${repository}/blobs/${layer.digest}`);
    expect(blob.body.length).toBe(layer.size);
    expect(createHash('sha256').update(blob.body).digest('hex')).not.toBe(layer.digest.slice(7));
  });

  it('answers an oversized manifest, with and without Content-Length', async () => {
    proxy.setFault(() => ({ oversize: 5 * 1024 * 1024 }));
    const sized = await get(`${proxy.url}${manifestPath}`);
    expect(header(sized.headers, 'content-type')).toBe(MEDIA_TYPES.ociManifest);
    expect(header(sized.headers, 'content-length')).toBe(String(5 * 1024 * 1024));
    expect(sized.body.length).toBe(5 * 1024 * 1024);
    expect(JSON.parse(sized.body.toString())).toMatchObject({ schemaVersion: 2 });

    proxy.setFault(() => ({ oversize: 100_000, chunked: true }));
    const chunked = await get(`${proxy.url}${manifestPath}`);
    expect(chunked.headers['content-length']).toBeUndefined();
    expect(chunked.body.length).toBe(100_000);
  });

  it('redirects to a metadata address', async () => {
    proxy.setFault(() => ({ redirect: 'http://169.254.169.254/latest/meta-data/' }));
    const response = await get(`${proxy.url}${manifestPath}`);
    expect(response.status).toBe(307);
    expect(header(response.headers, 'location')).toBe('http://169.254.169.254/latest/meta-data/');
  });
});
