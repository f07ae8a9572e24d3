import type dns from 'node:dns';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { Agent, request } from 'undici';
import { describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { classifyAddress, createSsrfGuard, type GuardedLookup, type SsrfGuardOptions } from './ssrf-guard.js';

// Compile-time: the guarded lookup drops into net.connect's option.
const _assignable: net.LookupFunction = createSsrfGuard().lookup;
void _assignable;

function blockedBy(run: () => void): RegistryError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('SSRF_BLOCKED');
    expect((error as RegistryError).temporary).toBe(false);
    return error as RegistryError;
  }
}

describe('classifyAddress', () => {
  it.each([
    // public
    ['8.8.8.8', 'public', undefined],
    ['2606:4700:4700::1111', 'public', undefined],
    // loopback and private
    ['127.0.0.1', 'loopback', 'loopback'],
    ['127.255.255.254', 'loopback', 'loopback'],
    ['::1', 'loopback', 'loopback'],
    ['10.1.2.3', 'private', 'private'],
    ['172.16.0.1', 'private', 'private'],
    ['172.31.255.255', 'private', 'private'],
    ['192.168.1.1', 'private', 'private'],
    ['100.64.0.1', 'private', 'carrier-grade NAT'],
    ['fc00::1', 'private', 'unique local'],
    ['fd12:3456::1', 'private', 'unique local'],
    // just outside the private ranges
    ['172.32.0.1', 'public', undefined],
    ['100.128.0.1', 'public', undefined],
    // never allowed
    ['169.254.169.254', 'never', 'cloud metadata'],
    ['169.254.170.2', 'never', 'cloud metadata'],
    ['100.100.100.200', 'never', 'cloud metadata'],
    ['fd00:ec2::254', 'never', 'cloud metadata'],
    ['fd00:ec2:0:0:0:0:0:254', 'never', 'cloud metadata'],
    ['169.254.1.1', 'never', 'link-local'],
    ['fe80::1', 'never', 'link-local'],
    ['fe80::1%eth0', 'never', 'link-local'],
    ['febf::1', 'never', 'link-local'],
    ['0.0.0.0', 'never', 'unspecified'],
    ['0.1.2.3', 'never', 'unspecified'],
    ['::', 'never', 'unspecified'],
    ['224.0.0.1', 'never', 'multicast'],
    ['239.255.255.250', 'never', 'multicast'],
    ['ff02::1', 'never', 'multicast'],
    ['255.255.255.255', 'never', 'broadcast'],
    ['240.0.0.1', 'never', 'reserved'],
    ['192.0.2.1', 'never', 'reserved'],
    ['198.18.0.1', 'never', 'reserved'],
    ['2001:db8::1', 'never', 'reserved'],
    ['fec0::1', 'never', 'site-local'],
    ['100::1', 'never', 'discard-only'],
    // IPv4 inside IPv6 is judged as the IPv4 address
    ['::ffff:169.254.169.254', 'never', 'cloud metadata'],
    ['::ffff:a9fe:a9fe', 'never', 'cloud metadata'],
    ['::ffff:127.0.0.1', 'loopback', 'loopback'],
    ['::ffff:10.0.0.1', 'private', 'private'],
    ['::ffff:8.8.8.8', 'public', undefined],
    ['::ffff:0:127.0.0.1', 'loopback', 'loopback'], // IPv4-translated (RFC 6145)
    ['64:ff9b::169.254.169.254', 'never', 'cloud metadata'], // NAT64
    ['64:ff9b::7f00:1', 'loopback', 'loopback'],
    ['64:ff9b::808:808', 'public', undefined],
    ['64:ff9b:1::1', 'private', 'local-use NAT64'],
    ['2002:a9fe:a9fe::1', 'never', 'cloud metadata'], // 6to4
    ['2002:0a00:0001::1', 'private', 'private'],
    ['2002:0808:0808::1', 'public', undefined],
    ['::7f00:1', 'never', 'IPv4-compatible'],
    ['::808:808', 'never', 'IPv4-compatible'],
    ['::127.0.0.1', 'loopback', 'loopback'], // ipaddr.js reads the dotted form as IPv4-mapped
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'never', 'Teredo tunnel'],
    // not an address at all
    ['localhost', 'never', 'unparseable'],
    ['0x7f.1', 'never', 'unparseable'],
  ])('%s → %s %s', (address, kind, range) => {
    const verdict = classifyAddress(address);
    expect(verdict.kind).toBe(kind);
    expect('range' in verdict ? verdict.range : undefined).toBe(range);
  });
});

describe('checkUrl', () => {
  const cases: { url: string; options?: SsrfGuardOptions; blocked: boolean }[] = [
    { url: 'https://registry.example.com/v2/', blocked: false },
    { url: 'https://8.8.8.8/v2/', blocked: false },
    { url: 'https://[2606:4700:4700::1111]/v2/', blocked: false },
    { url: 'http://registry.example.com:5000/v2/', blocked: false },
    // metadata, in every spelling URL accepts
    { url: 'http://169.254.169.254/latest/meta-data/', blocked: true },
    { url: 'http://2852039166/', blocked: true }, // decimal
    { url: 'http://0xa9fea9fe/', blocked: true }, // hex
    { url: 'http://0251.0376.0251.0376/', blocked: true }, // octal
    { url: 'http://0xa9.0xfe.0xa9.0xfe/', blocked: true }, // hex per octet
    { url: 'http://169.254.43518/', blocked: true }, // short form
    { url: 'http://[::ffff:169.254.169.254]/', blocked: true },
    { url: 'http://[64:ff9b::a9fe:a9fe]/', blocked: true },
    { url: 'http://[2002:a9fe:a9fe::]/', blocked: true },
    { url: 'http://[fd00:ec2::254]/', blocked: true },
    { url: 'http://100.100.100.200/', blocked: true },
    { url: 'http://metadata.google.internal/computeMetadata/v1/', blocked: true },
    { url: 'http://METADATA.Google.Internal./', blocked: true },
    { url: 'http://metadata/', blocked: true },
    { url: 'http://metadata.goog/', blocked: true },
    // loopback and private literals
    { url: 'http://127.0.0.1:5000/', blocked: true },
    { url: 'http://127.1/', blocked: true },
    { url: 'http://2130706433/', blocked: true },
    { url: 'http://0x7f000001/', blocked: true },
    { url: 'http://017700000001/', blocked: true },
    { url: 'http://[::1]/', blocked: true },
    { url: 'http://[::ffff:7f00:1]/', blocked: true },
    { url: 'http://0/', blocked: true }, // 0.0.0.0
    { url: 'http://[::]/', blocked: true },
    { url: 'http://10.0.0.1/', blocked: true },
    { url: 'http://192.168.0.1/', blocked: true },
    { url: 'http://100.64.0.1/', blocked: true },
    { url: 'http://[fd12::1]/', blocked: true },
    // localhost names are loopback by definition (RFC 6761)
    { url: 'http://localhost:5000/', blocked: true },
    { url: 'http://LOCALHOST./', blocked: true },
    { url: 'http://registry.localhost/', blocked: true },
    // schemes other than http(s)
    { url: 'file:///etc/passwd', blocked: true },
    { url: 'ftp://registry.example.com/', blocked: true },
    { url: 'gopher://registry.example.com:70/', blocked: true },
    // allow flags open only their own ranges
    { url: 'http://127.0.0.1:5000/', options: { allowLoopback: true }, blocked: false },
    { url: 'http://localhost:5000/', options: { allowLoopback: true }, blocked: false },
    { url: 'http://[::1]:5000/', options: { allowLoopback: true }, blocked: false },
    { url: 'http://10.0.0.1/', options: { allowLoopback: true }, blocked: true },
    { url: 'http://169.254.169.254/', options: { allowLoopback: true, allowPrivate: true }, blocked: true },
    { url: 'http://0.0.0.0:5000/', options: { allowLoopback: true, allowPrivate: true }, blocked: true },
    { url: 'http://10.0.0.1/', options: { allowPrivate: true }, blocked: false },
    { url: 'http://100.64.0.1/', options: { allowPrivate: true }, blocked: false },
    { url: 'http://[fd12::1]/', options: { allowPrivate: true }, blocked: false },
    { url: 'http://127.0.0.1/', options: { allowPrivate: true }, blocked: true },
    { url: 'http://100.100.100.200/', options: { allowPrivate: true }, blocked: true },
    { url: 'http://[fd00:ec2::254]/', options: { allowPrivate: true }, blocked: true },
    { url: 'http://metadata.google.internal/', options: { allowPrivate: true, allowLoopback: true }, blocked: true },
    // allowed hosts: exact host, exact port when given
    { url: 'http://127.0.0.1:5000/v2/', options: { allowedHosts: ['127.0.0.1:5000'] }, blocked: false },
    { url: 'http://0x7f.1:5000/v2/', options: { allowedHosts: ['127.0.0.1:5000'] }, blocked: false },
    { url: 'http://127.0.0.1:5001/v2/', options: { allowedHosts: ['127.0.0.1:5000'] }, blocked: true },
    { url: 'http://127.0.0.2:5000/v2/', options: { allowedHosts: ['127.0.0.1:5000'] }, blocked: true },
    { url: 'http://[::1]:5000/', options: { allowedHosts: ['[::1]:5000'] }, blocked: false },
    { url: 'http://[0:0::1]:5000/', options: { allowedHosts: ['[::1]:5000'] }, blocked: false },
    { url: 'http://localhost:5000/', options: { allowedHosts: ['localhost:5000'] }, blocked: false },
    { url: 'http://localhost:5001/', options: { allowedHosts: ['localhost:5000'] }, blocked: true },
    { url: 'http://10.0.0.5/', options: { allowedHosts: ['10.0.0.5'] }, blocked: false },
    { url: 'https://10.0.0.5/', options: { allowedHosts: ['10.0.0.5:443'] }, blocked: false },
    { url: 'http://10.0.0.5/', options: { allowedHosts: ['10.0.0.5:443'] }, blocked: true },
    // an allow entry never opens the always-blocked ranges
    { url: 'http://169.254.169.254/', options: { allowedHosts: ['169.254.169.254'] }, blocked: true },
    { url: 'http://metadata.google.internal/', options: { allowedHosts: ['metadata.google.internal'] }, blocked: true },
  ];

  it.each(cases)('$url $options → blocked: $blocked', ({ url, options, blocked }) => {
    const guard = createSsrfGuard(options);
    const error = blockedBy(() => guard.checkUrl(new URL(url)));
    expect(error !== undefined).toBe(blocked);
  });

  it('explains a private refusal and how to allow it', () => {
    const error = blockedBy(() => createSsrfGuard().checkUrl(new URL('http://10.0.0.7:5000/v2/')));
    expect(error?.message).toBe(
      'refusing to contact 10.0.0.7:5000 (10.0.0.7): private addresses are not allowed for registries; list it with --insecure-registry/allowPrivateNetworks if it is yours',
    );
  });

  it('does not suggest allowing what can never be allowed', () => {
    const error = blockedBy(() => createSsrfGuard().checkUrl(new URL('http://2852039166/')));
    expect(error?.message).toBe('refusing to contact 169.254.169.254:80 (169.254.169.254): cloud metadata addresses are never allowed for registries');
  });
});

describe('checkAddress', () => {
  it.each([
    { address: '8.8.8.8', hostname: 'registry.example.com', options: {}, blocked: false },
    { address: '10.0.0.1', hostname: 'registry.example.com', options: {}, blocked: true },
    { address: '10.0.0.1', hostname: 'registry.internal', options: { allowedHosts: ['registry.internal:5000'] }, blocked: false },
    { address: '10.0.0.1', hostname: 'Registry.Internal.', options: { allowedHosts: ['registry.internal'] }, blocked: false },
    // the allowed name must be the name being resolved, not a look-alike
    { address: '10.0.0.1', hostname: 'registry.internal.evil.io', options: { allowedHosts: ['registry.internal'] }, blocked: true },
    { address: '10.0.0.1', hostname: 'evilregistry.internal', options: { allowedHosts: ['registry.internal'] }, blocked: true },
    { address: '169.254.169.254', hostname: 'registry.internal', options: { allowedHosts: ['registry.internal'] }, blocked: true },
    { address: '8.8.8.8', hostname: 'metadata.google.internal', options: {}, blocked: true },
  ])('$address for $hostname $options → blocked: $blocked', ({ address, hostname, options, blocked }) => {
    const guard = createSsrfGuard(options);
    expect(blockedBy(() => guard.checkAddress(address, 4, hostname)) !== undefined).toBe(blocked);
  });

  it('applies a host:port entry to that port only when the port is known', () => {
    const guard = createSsrfGuard({ allowedHosts: ['registry.internal:5000'] });
    expect(blockedBy(() => guard.checkAddress('10.0.0.1', 4, 'registry.internal', 5000))).toBeUndefined();
    expect(blockedBy(() => guard.checkAddress('10.0.0.1', 4, 'registry.internal', 22))).toBeDefined();
  });
});

function lookupAsync(
  lookup: GuardedLookup,
  hostname: string,
  options?: number | dns.LookupOptions,
): Promise<{ address: string | dns.LookupAddress[]; family: number | undefined }> {
  return new Promise((resolve, reject) => {
    const callback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number): void => {
      if (err) reject(err);
      else resolve({ address, family });
    };
    if (options === undefined) lookup(hostname, callback);
    else lookup(hostname, options, callback);
  });
}

describe('lookup (real resolution)', () => {
  it('refuses localhost by default', async () => {
    const error = await lookupAsync(createSsrfGuard().lookup, 'localhost').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('SSRF_BLOCKED');
    expect((error as RegistryError).message).toMatch(/^refusing to contact localhost \((127\.0\.0\.1|::1)\): loopback addresses/);
  });

  it('resolves localhost when loopback is allowed, in every call shape', async () => {
    const { lookup } = createSsrfGuard({ allowLoopback: true });
    const plain = await lookupAsync(lookup, 'localhost');
    expect(['127.0.0.1', '::1']).toContain(plain.address);
    expect([4, 6]).toContain(plain.family);
    const v4 = await lookupAsync(lookup, 'localhost', 4);
    expect(v4).toEqual({ address: '127.0.0.1', family: 4 });
    const all = await lookupAsync(lookup, 'localhost', { all: true });
    expect(Array.isArray(all.address)).toBe(true);
    expect((all.address as dns.LookupAddress[]).map((a) => a.address)).toContain('127.0.0.1');
  });

  it('honours a host:port allow entry per port with lookupForPort', async () => {
    const guard = createSsrfGuard({ allowedHosts: ['localhost:5000'] });
    await expect(lookupAsync(guard.lookupForPort(5000), 'localhost', 4)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(lookupAsync(guard.lookupForPort(5001), 'localhost', 4)).rejects.toMatchObject({ code: 'SSRF_BLOCKED' });
    // Without a port the entry counts for its host.
    await expect(lookupAsync(guard.lookup, 'localhost', 4)).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });

  it.each([
    ['127.0.0.1', true],
    ['169.254.169.254', true],
    ['::ffff:169.254.169.254', true],
    ['10.0.0.1', true],
    ['8.8.8.8', false],
  ])('judges the IP literal %s passed to lookup (blocked: %s)', async (literal, blocked) => {
    const result = await lookupAsync(createSsrfGuard().lookup, literal).then(
      () => 'resolved',
      (error: unknown) => (error as RegistryError).code,
    );
    expect(result).toBe(blocked ? 'SSRF_BLOCKED' : 'resolved');
  });

  it('passes resolver errors through', async () => {
    const error = await lookupAsync(createSsrfGuard().lookup, 'no-such-host.invalid').catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(RegistryError);
    expect((error as NodeJS.ErrnoException).code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});

describe('lookup (answers DNS here cannot give)', () => {
  const answering = (addresses: dns.LookupAddress[]): SsrfGuardOptions['dnsLookup'] => async () => addresses;

  it('refuses a name when any of its addresses is disallowed (DNS rebinding)', async () => {
    const guard = createSsrfGuard({
      dnsLookup: answering([
        { address: '93.184.216.34', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ]),
    });
    await expect(lookupAsync(guard.lookup, 'rebind.example.com')).rejects.toMatchObject({
      code: 'SSRF_BLOCKED',
      message: expect.stringContaining('rebind.example.com (169.254.169.254)'),
    });
  });

  it('refuses an AAAA answer that maps to IPv4 metadata', async () => {
    const guard = createSsrfGuard({ allowPrivate: true, dnsLookup: answering([{ address: '::ffff:a9fe:a9fe', family: 6 }]) });
    await expect(lookupAsync(guard.lookup, 'sneaky.example.com', { all: true })).rejects.toMatchObject({ code: 'SSRF_BLOCKED' });
  });

  it('returns the first public address and its family', async () => {
    const guard = createSsrfGuard({
      dnsLookup: answering([
        { address: '2606:4700::1111', family: 6 },
        { address: '1.1.1.1', family: 4 },
      ]),
    });
    await expect(lookupAsync(guard.lookup, 'registry.example.com')).resolves.toEqual({ address: '2606:4700::1111', family: 6 });
  });

  it('asks the resolver for all addresses with the caller options', async () => {
    const seen: dns.LookupAllOptions[] = [];
    const guard = createSsrfGuard({
      dnsLookup: async (_hostname, options) => {
        seen.push(options);
        return [{ address: '1.1.1.1', family: 4 }];
      },
    });
    await lookupAsync(guard.lookup, 'registry.example.com', { family: 4, hints: 0 });
    expect(seen).toEqual([{ family: 4, hints: 0, all: true }]);
  });

  it('reports an empty answer as ENOTFOUND', async () => {
    const guard = createSsrfGuard({ dnsLookup: answering([]) });
    await expect(lookupAsync(guard.lookup, 'empty.example.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('guard in a real connection', () => {
  async function withServer(run: (port: number) => Promise<void>): Promise<void> {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      await run((server.address() as net.AddressInfo).port);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }

  it('net.connect to localhost fails with SSRF_BLOCKED, and connects when allowed', async () => {
    await withServer(async (port) => {
      const refused = net.connect({ host: 'localhost', port, family: 4, lookup: createSsrfGuard().lookup });
      const [error] = (await once(refused, 'error')) as [RegistryError];
      expect(error.code).toBe('SSRF_BLOCKED');

      const allowed = net.connect({ host: 'localhost', port, family: 4, lookup: createSsrfGuard({ allowedHosts: [`localhost:${port}`] }).lookup });
      await once(allowed, 'connect');
      allowed.destroy();
    });
  });

  it('an undici Agent with the guarded lookup refuses localhost, and works when allowed', async () => {
    await withServer(async (port) => {
      const blockedAgent = new Agent({ connect: { lookup: createSsrfGuard().lookup } });
      const allowedAgent = new Agent({ connect: { lookup: createSsrfGuard({ allowLoopback: true }).lookup } });
      try {
        const error = await request(`http://localhost:${port}/`, { dispatcher: blockedAgent }).catch((e: unknown) => e);
        const codes = [error, (error as Error).cause].map((e) => (e as { code?: string } | undefined)?.code);
        expect(codes).toContain('SSRF_BLOCKED');

        const response = await request(`http://localhost:${port}/`, { dispatcher: allowedAgent });
        expect(await response.body.text()).toBe('ok');
      } finally {
        await blockedAgent.close();
        await allowedAgent.close();
      }
    });
  });
});
