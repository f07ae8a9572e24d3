import { describe, expect, it } from 'vitest';
import { RegistryError, RegistryInputError } from './errors.js';
import { createHostPolicy, type HostPolicyOptions } from './host-policy.js';

function allowed(options: HostPolicyOptions, registry: string): boolean {
  try {
    createHostPolicy(options).check(registry);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('HOST_NOT_ALLOWED');
    return false;
  }
}

describe('createHostPolicy check', () => {
  it.each([
    // no lists: everything
    [{}, 'docker.io', true],
    [{}, 'anything.example:1234', true],
    [{ allow: [] }, 'ghcr.io', true],
    // exact hosts; ports must match exactly
    [{ allow: ['ghcr.io'] }, 'ghcr.io', true],
    [{ allow: ['ghcr.io'] }, 'GHCR.IO', true],
    [{ allow: ['ghcr.io'] }, 'ghcr.io:443', false],
    [{ allow: ['ghcr.io'] }, 'ghcr.io.evil.com', false],
    [{ allow: ['ghcr.io'] }, 'evilghcr.io', false],
    [{ allow: ['registry.example.com:5000'] }, 'registry.example.com:5000', true],
    [{ allow: ['registry.example.com:5000'] }, 'registry.example.com', false],
    [{ allow: ['registry.example.com:5000'] }, 'registry.example.com:5001', false],
    [{ allow: ['registry.example.com:*'] }, 'registry.example.com:5001', true],
    [{ allow: ['registry.example.com:*'] }, 'registry.example.com', true],
    // Docker Hub aliases
    [{ allow: ['docker.io'] }, 'index.docker.io', true],
    [{ allow: ['registry-1.docker.io'] }, 'docker.io', true],
    // subdomain globs: any depth, never the apex, label boundary
    [{ allow: ['*.example.com'] }, 'a.example.com', true],
    [{ allow: ['*.example.com'] }, 'a.b.example.com', true],
    [{ allow: ['*.example.com'] }, 'example.com', false],
    [{ allow: ['*.example.com'] }, 'evilexample.com', false],
    [{ allow: ['*.example.com'] }, 'a.example.com.evil.io', false],
    [{ allow: ['*.example.com'] }, 'a.example.com:5000', false],
    [{ allow: ['*.example.com:5000'] }, 'a.example.com:5000', true],
    [{ allow: ['*.example.com:*'] }, 'a.example.com:5000', true],
    [{ allow: ['*.Example.COM'] }, 'a.example.com', true],
    [{ allow: ['*'] }, 'whatever.io:99', true],
    // numeric spellings are normalized before matching
    [{ allow: ['127.0.0.1:5000'] }, '0x7f.1:5000', true],
    [{ deny: ['127.0.0.1:5000'] }, '2130706433:5000', false],
    [{ allow: ['[::1]:5000'] }, '[0:0::1]:5000', true],
    // deny wins
    [{ deny: ['evil.io'] }, 'evil.io', false],
    [{ deny: ['evil.io'] }, 'ok.io', true],
    [{ allow: ['*.example.com'], deny: ['bad.example.com'] }, 'bad.example.com', false],
    [{ allow: ['*.example.com'], deny: ['bad.example.com'] }, 'good.example.com', true],
    [{ allow: ['*'], deny: ['*.internal:*'] }, 'registry.internal:5000', false],
    // insecure entries do not bypass the lists
    [{ allow: ['ghcr.io'], insecure: ['registry.local:5000'] }, 'registry.local:5000', false],
    // an unparseable registry is refused, not crashed on
    [{}, 'not a host', false],
  ] as [HostPolicyOptions, string, boolean][])('%j: %s → %s', (options, registry, expected) => {
    expect(allowed(options, registry)).toBe(expected);
  });

  it('names the registry, the image and the reason', () => {
    const policy = createHostPolicy({ allow: ['ghcr.io'], deny: ['evil.io'] });
    expect(() => policy.check('quay.io', 'quay.io/team/app:1')).toThrow(
      'quay.io/team/app:1: registry quay.io is not in the allowed registries; add it to the allow list if it should be used (quay.io)',
    );
    expect(() => policy.check('evil.io')).toThrow('evil.io: registry evil.io is denied by the registry policy (deny pattern "evil.io")');
  });

  it.each([
    ['empty', ''],
    ['inner wildcard', 'a.*.example.com'],
    ['suffix wildcard', 'example.*'],
    ['bare wildcard label', '*example.com'],
    ['wildcard port and port', 'example.com:5000:*'],
    ['path', 'example.com/v2'],
    ['scheme', 'https://index.docker.io/v1/'],
    ['wildcard before an IP', '*.10.0.0.1'],
    ['wildcard port only', '*:5000'],
    ['bad port', 'example.com:99999'],
  ])('rejects the pattern %s', (_name, pattern) => {
    expect(() => createHostPolicy({ allow: [pattern] })).toThrow(RegistryInputError);
    expect(() => createHostPolicy({ deny: [pattern] })).toThrow(RegistryInputError);
  });
});

describe('createHostPolicy insecure', () => {
  const policy = createHostPolicy({ insecure: ['registry.local:5000', '127.0.0.1:5001', 'HTTP://Plain.Example'] });

  it.each([
    ['registry.local:5000', true],
    ['Registry.Local:5000', true],
    ['registry.local', false],
    ['registry.local:5001', false],
    ['sub.registry.local:5000', false],
    ['0x7f.1:5001', true],
    ['127.0.0.1:5001', true],
    ['plain.example', true],
    ['docker.io', false],
    ['not a host', false],
  ])('%s → %s', (registry, insecure) => {
    expect(policy.isInsecure(registry)).toBe(insecure);
    expect(policy.scheme(registry)).toBe(insecure ? 'http' : 'https');
  });

  it('rejects an invalid insecure entry', () => {
    expect(() => createHostPolicy({ insecure: ['*.local'] })).toThrow(RegistryInputError);
  });
});
