import type { V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createPullSecretResolver } from './pull-secrets.js';

// Plain maps stand in for the informer caches: the resolver only ever calls get(name, namespace).
function cacheOf<T extends { metadata?: { name?: string; namespace?: string } }>(objects: T[]) {
  return { get: (name: string, namespace?: string) => objects.find((o) => o.metadata?.name === name && o.metadata?.namespace === namespace) };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

function dockerConfigSecret(namespace: string, name: string, auths: Record<string, { username: string; password: string }>): V1Secret {
  const config = {
    auths: Object.fromEntries(Object.entries(auths).map(([host, c]) => [host, { auth: b64(`${c.username}:${c.password}`) }])),
  };
  return { metadata: { namespace, name }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(JSON.stringify(config)) } };
}

function logCapture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

const serviceAccounts: V1ServiceAccount[] = [
  { metadata: { namespace: 'apps', name: 'default' }, imagePullSecrets: [{ name: 'sa-default-secret' }] },
  { metadata: { namespace: 'apps', name: 'builder' }, imagePullSecrets: [{ name: 'sa-secret' }, { name: 'sa-missing' }] },
];
const jsonSecrets: V1Secret[] = [
  dockerConfigSecret('apps', 'pod-secret', { 'registry.example.com': { username: 'pod', password: 'pod-pass' } }),
  dockerConfigSecret('apps', 'sa-secret', { 'registry.example.com:5000': { username: 'sa', password: 'sa-pass' } }),
  dockerConfigSecret('apps', 'sa-default-secret', { 'default.example.com': { username: 'd', password: 'd-pass' } }),
  dockerConfigSecret('other', 'pod-secret', { 'registry.example.com': { username: 'other-ns', password: 'x' } }),
  dockerConfigSecret('apps', 'second', { 'registry.example.com': { username: 'second', password: 'y' }, 'b.example.com': { username: 'b', password: 'z' } }),
  { metadata: { namespace: 'apps', name: 'malformed' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{"auths": {"x.io": {"auth": "not base64!"}}}') } },
];
const cfgSecrets: V1Secret[] = [
  {
    metadata: { namespace: 'apps', name: 'legacy' },
    type: 'kubernetes.io/dockercfg',
    data: { '.dockercfg': b64(JSON.stringify({ 'legacy.example.com': { auth: b64('legacy:legacy-pass') } })) },
  },
];

function resolver(excludedNamespaces: string[] = []) {
  const { logger, lines } = logCapture();
  const resolve = createPullSecretResolver({
    serviceAccounts: cacheOf(serviceAccounts),
    secrets: [cacheOf(jsonSecrets), cacheOf(cfgSecrets)],
    excludedNamespaces,
    logger,
  });
  return { resolve, lines };
}

describe('createPullSecretResolver', () => {
  it("uses the pod's own secrets, for their exact registry hosts only", async () => {
    const { resolve } = resolver();
    const result = resolve({ namespace: 'apps', serviceAccountName: 'builder', imagePullSecrets: ['pod-secret'] });
    expect(result.usedSecrets).toEqual(['apps/pod-secret']);
    expect(result.missingSecrets).toEqual([]);
    expect(await result.keychain?.resolve('registry.example.com')).toEqual({ username: 'pod', password: 'pod-pass' });
    // Not the ServiceAccount's: the pod lists its own, so kubelet never sees the ServiceAccount's.
    expect(await result.keychain?.resolve('registry.example.com:5000')).toBeUndefined();
    expect(await result.keychain?.resolve('registry.example.com.evil.io')).toBeUndefined();
  });

  it("uses the ServiceAccount's secrets when the pod lists none, and reports the missing ones", async () => {
    const { resolve } = resolver();
    const result = resolve({ namespace: 'apps', serviceAccountName: 'builder', imagePullSecrets: [] });
    expect(result.usedSecrets).toEqual(['apps/sa-secret']);
    expect(result.missingSecrets).toEqual(['sa-missing']);
    expect(await result.keychain?.resolve('registry.example.com:5000')).toEqual({ username: 'sa', password: 'sa-pass' });
    expect(await result.keychain?.resolve('registry.example.com')).toBeUndefined();
  });

  it('takes the "default" ServiceAccount when none is named', async () => {
    const { resolve } = resolver();
    for (const serviceAccountName of [undefined, '']) {
      const result = resolve({ namespace: 'apps', serviceAccountName, imagePullSecrets: [] });
      expect(result.usedSecrets).toEqual(['apps/sa-default-secret']);
      expect(await result.keychain?.resolve('default.example.com')).toEqual({ username: 'd', password: 'd-pass' });
    }
  });

  it('looks secrets up in the pod namespace only', async () => {
    const { resolve } = resolver();
    const result = resolve({ namespace: 'other', imagePullSecrets: ['pod-secret', 'sa-secret'] });
    expect(result.usedSecrets).toEqual(['other/pod-secret']);
    expect(result.missingSecrets).toEqual(['sa-secret']);
    expect(await result.keychain?.resolve('registry.example.com')).toEqual({ username: 'other-ns', password: 'x' });
  });

  it('asks secrets in pod order, first credential winning; duplicates count once', async () => {
    const { resolve } = resolver();
    const result = resolve({ namespace: 'apps', imagePullSecrets: ['second', 'pod-secret', 'second', 'legacy'] });
    expect(result.usedSecrets).toEqual(['apps/second', 'apps/pod-secret', 'apps/legacy']);
    expect(await result.keychain?.resolve('registry.example.com')).toEqual({ username: 'second', password: 'y' });
    expect(await result.keychain?.resolve('b.example.com')).toEqual({ username: 'b', password: 'z' });
    expect(await result.keychain?.resolve('legacy.example.com')).toEqual({ username: 'legacy', password: 'legacy-pass' });
  });

  it('skips a malformed secret, reports it, and logs it without its content', async () => {
    const { resolve, lines } = resolver();
    const result = resolve({ namespace: 'apps', imagePullSecrets: ['malformed', 'pod-secret'] });
    expect(result.invalidSecrets).toEqual(['malformed']);
    expect(result.usedSecrets).toEqual(['apps/pod-secret']);
    expect(await result.keychain?.resolve('registry.example.com')).toEqual({ username: 'pod', password: 'pod-pass' });
    const warnings = lines.filter((line) => line['level'] === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.['secret']).toBe('apps/malformed');
    expect(JSON.stringify(warnings)).not.toContain('not base64!');
    // Parsed once per Secret version: asking again does not log again.
    resolve({ namespace: 'apps', imagePullSecrets: ['malformed'] });
    expect(lines.filter((line) => line['level'] === 40)).toHaveLength(1);
  });

  it('gives no keychain when nothing usable is found', () => {
    const { resolve } = resolver();
    const result = resolve({ namespace: 'apps', imagePullSecrets: ['nope'] });
    expect(result.keychain).toBeUndefined();
    expect(result.missingSecrets).toEqual(['nope']);
    expect(resolve({ namespace: 'empty', imagePullSecrets: [] })).toEqual({ usedSecrets: [], missingSecrets: [], invalidSecrets: [] });
  });

  it('reports nothing missing in an excluded namespace (its secrets are not watched)', () => {
    const { resolve } = resolver(['apps']);
    expect(resolve({ namespace: 'apps', imagePullSecrets: ['pod-secret', 'nope'] })).toEqual({
      usedSecrets: [],
      missingSecrets: [],
      invalidSecrets: [],
    });
  });
});
