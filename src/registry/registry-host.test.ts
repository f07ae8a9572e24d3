import { describe, expect, it } from 'vitest';
import { RegistryInputError } from './errors.js';
import { joinHostPort, normalizeRegistryHost, registryApiHost, splitHostPort } from './registry-host.js';

describe('normalizeRegistryHost', () => {
  it.each([
    // Docker Hub, as docker login and users write it
    ['https://index.docker.io/v1/', 'docker.io'],
    ['index.docker.io', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['docker.io', 'docker.io'],
    ['Docker.IO', 'docker.io'],
    ['http://registry-1.docker.io/v2/', 'docker.io'],
    // a port makes it a different registry: no aliasing, no default-port folding
    ['docker.io:443', 'docker.io:443'],
    ['registry.example.com:443', 'registry.example.com:443'],
    // schemes, paths, queries, case, whitespace, trailing dots
    ['  HTTPS://Registry.Example.com:5000/some/path?x=1#f  ', 'registry.example.com:5000'],
    ['ghcr.io/', 'ghcr.io'],
    ['ghcr.io?query', 'ghcr.io'],
    ['example.com.', 'example.com'],
    ['localhost:5000', 'localhost:5000'],
    ['registry:05000', 'registry:5000'],
    // IP addresses, including the WHATWG numeric forms fetch would contact
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['0x7f.1:5000', '127.0.0.1:5000'],
    ['2130706433', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['[::1]:5000', '[::1]:5000'],
    ['[0:0:0:0:0:0:0:1]', '[::1]'],
    ['[FD00:EC2::254]', '[fd00:ec2::254]'],
    ['::1', '[::1]'],
    ['http://[2001:db8::1]:8080/v2/', '[2001:db8::1]:8080'],
    // IDN to punycode
    ['bücher.example', 'xn--bcher-kva.example'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeRegistryHost(input)).toBe(expected);
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['scheme only', 'https://'],
    ['other scheme', 'ftp://example.com'],
    ['space inside', 'exa mple.com'],
    ['percent escape', 'a%2eb.com'],
    ['backslash', 'a\\b.com'],
    ['control character', 'a\u0000b.com'],
    ['empty label', 'a..b.com'],
    ['leading hyphen', '-a.com'],
    ['underscore', 'a_b.com'],
    ['port zero', 'example.com:0'],
    ['port too large', 'example.com:65536'],
    ['port not a number', 'example.com:http'],
    ['empty port', 'example.com:'],
    ['two ports', 'example.com:1:2'],
    ['unterminated bracket', '[::1:5000'],
    ['text after bracket', '[::1]x'],
    ['bad IPv6', '[::g]'],
    ['IPv6 zone', '[fe80::1%25eth0]'],
    ['invalid IPv4 number', '1.2.3.256'],
    ['label too long', `${'a'.repeat(64)}.com`],
  ])('rejects %s', (_name, input) => {
    expect(() => normalizeRegistryHost(input)).toThrow(RegistryInputError);
  });

  it('never echoes user info, which is usually a password', () => {
    let caught: unknown;
    try {
      normalizeRegistryHost('https://alice:hunter2@registry.example.com/');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RegistryInputError);
    expect((caught as RegistryInputError).code).toBe('INVALID_REGISTRY_HOST');
    expect((caught as Error).message).not.toContain('hunter2');
  });
});

describe('registryApiHost', () => {
  it.each([
    ['docker.io', 'registry-1.docker.io'],
    ['index.docker.io', 'registry-1.docker.io'],
    ['ghcr.io', 'ghcr.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['[::1]:5000', '[::1]:5000'],
    ['docker.io:5000', 'docker.io:5000'],
  ])('%s → %s', (registry, expected) => {
    expect(registryApiHost(registry)).toBe(expected);
  });
});

describe('splitHostPort / joinHostPort', () => {
  it.each([
    ['example.com', { host: 'example.com' }],
    ['Example.com:5000', { host: 'example.com', port: 5000 }],
    ['[::1]:5000', { host: '::1', port: 5000 }],
    ['[::1]', { host: '::1' }],
    ['::1', { host: '::1' }],
    ['127.0.0.1:80', { host: '127.0.0.1', port: 80 }],
  ])('%s', (text, expected) => {
    expect(splitHostPort(text)).toEqual(expected);
  });

  it.each(['example.com', 'example.com:5000', '[::1]:5000', '[2001:db8::1]', '10.0.0.1:443'])('round-trips %s', (text) => {
    expect(joinHostPort(splitHostPort(text))).toBe(text);
  });

  // The WHATWG host parser behind domainToASCII would quietly cut these short to "example.com".
  it.each(['example.com/v2', 'example.com#frag', 'example.com?q', 'user@example.com'])(
    'rejects %s, whose tail only normalizeRegistryHost strips',
    (text) => {
      expect(() => splitHostPort(text)).toThrow(RegistryInputError);
    },
  );
});
