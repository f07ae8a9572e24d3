import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createImageSource } from '../../src/image-facts/create-image-source.js';
import { createDockerConfigKeychain } from '../../src/registry/docker-config-keychain.js';
import { startFaultProxy, type RunningFaultProxy } from '../harness/fault-proxy.js';
import { buildImage } from '../harness/oci-image-builder.js';
import { readTokenLog, tokenLogSize } from '../harness/token-server.js';
import { pushTo, uniqueRepository } from './helpers.js';

const { anonymous, basic, token } = inject('registries');
const tokenServerHost = new URL(token.tokenServerUrl).host;

describe('identity tokens (docker login with an OAuth2 refresh token)', () => {
  it('exchanges the identity token at the realm with a POST refresh_token grant', async () => {
    // docker login stores an identity token; get one from the real token server like it does.
    const login = await fetch(`${token.tokenServerUrl}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        username: token.username,
        password: token.password,
        service: token.service,
        client_id: 'docker',
        access_type: 'offline',
        scope: '',
      }),
    });
    const { refresh_token: identityToken } = (await login.json()) as { refresh_token: string };
    expect(identityToken).toBeTruthy();

    const repository = uniqueRepository('identity');
    const digest = await pushTo(anonymous, repository, 'v1', buildImage({ user: '1', layers: [{ sizeBytes: 10, seed: 'id' }] }));
    const keychain = createDockerConfigKeychain({ config: { auths: { [token.host]: { identitytoken: identityToken } } } });
    const source = createImageSource({ insecureRegistries: [token.host, tokenServerHost], keychain });
    const since = tokenLogSize(token.tokenLogPath);
    const facts = await source.getFacts({ reference: `${token.host}/${repository}:v1` });
    expect(facts.digest).toBe(digest);
    const records = readTokenLog(token.tokenLogPath, { since, repository });
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ method: 'POST', grantType: 'refresh_token', username: token.username });
    await source.close();
  });
});

describe('credentials never leave their registry', () => {
  // The fault proxy (a mock of a misbehaving registry, since distribution's filesystem storage
  // never redirects) sits in front of the Basic-auth registry and redirects blob downloads to a
  // "storage" server on another origin, which records the headers it receives.
  let proxy: RunningFaultProxy;
  const storageHeaders: IncomingHttpHeaders[] = [];
  const storage = createServer((req, res) => {
    storageHeaders.push(req.headers);
    // Serve the blob from the anonymous registry, like a CDN in front of the storage would.
    httpRequest(`${anonymous.url}${req.url}`, (upstream) => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers);
      upstream.pipe(res);
    }).end();
  });
  let storageHost: string;

  beforeAll(async () => {
    proxy = await startFaultProxy({ target: basic.url });
    await new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve));
    storageHost = `127.0.0.1:${(storage.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((resolve) => storage.close(() => resolve()));
  });

  it('does not send the Authorization header to a redirect target on another origin', async () => {
    const repository = uniqueRepository('redirect');
    await pushTo(anonymous, repository, 'v1', buildImage({ user: '7', layers: [{ sizeBytes: 10, seed: 'rd' }] }));
    proxy.setFault(({ method, path }) =>
      method === 'GET' && path.includes('/blobs/') ? { redirect: `http://${storageHost}${path}`, redirectStatus: 307 } : undefined,
    );
    const auth = Buffer.from(`${basic.username}:${basic.password}`).toString('base64');
    const keychain = createDockerConfigKeychain({ config: { auths: { [proxy.host]: { auth } } } });
    const source = createImageSource({ insecureRegistries: [proxy.host, storageHost], keychain });
    const facts = await source.getFacts({ reference: `${proxy.host}/${repository}:v1` });
    expect(facts.user).toBe('7');
    expect(storageHeaders).toHaveLength(1);
    expect(storageHeaders[0]!.authorization).toBeUndefined();
    // The registry itself did get the credentials (its requests passed Basic auth).
    expect(proxy.requests.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    await source.close();
  });
});
