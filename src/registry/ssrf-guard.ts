import dns from 'node:dns';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { RegistryError } from './errors.js';
import { joinHostPort, normalizeRegistryHost, splitHostPort } from './registry-host.js';

/**
 * Keeps the registry client from being turned against the cluster's own network: image references
 * come from whoever can create Pods, so "169.254.169.254/latest:meta-data" or a registry name that
 * resolves to 10.0.0.1 must not make the webhook call in there.
 *
 * Two gates, both needed: `checkUrl` before every request and redirect (net.connect does not call
 * `lookup` for IP literals), and `lookup` at connect time (names, including DNS rebinding: the
 * address judged is the address connected to).
 */

export interface SsrfGuardOptions {
  /** Allow loopback (127/8, ::1) for every host. */
  allowLoopback?: boolean;
  /** Allow private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) for every host. */
  allowPrivate?: boolean;
  /**
   * Hosts ("host" or "host:port") that may be loopback or private, e.g. the insecure registries
   * the operator listed. Never lifts the always-blocked ranges (link-local, metadata, ...).
   */
  allowedHosts?: readonly string[];
  /** Resolver behind `lookup`; defaults to dns.lookup. Tests inject answers DNS here cannot give. */
  dnsLookup?: (hostname: string, options: dns.LookupAllOptions) => Promise<dns.LookupAddress[]>;
}

export type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

/** Same call shapes as dns.lookup; assignable to net.connect's and undici's `lookup` option. */
export interface GuardedLookup {
  (hostname: string, callback: LookupCallback): void;
  (hostname: string, options: number | dns.LookupOptions | undefined, callback: LookupCallback): void;
}

export interface SsrfGuard {
  /** Throws RegistryError SSRF_BLOCKED for a disallowed scheme, IP-literal host or metadata name. */
  checkUrl(url: URL): void;
  /**
   * Throws RegistryError SSRF_BLOCKED when `address` may not be contacted for `hostname`. Without a
   * port, a "host:port" entry of allowedHosts counts for its host on any port.
   */
  checkAddress(address: string, family: number | string | undefined, hostname: string, port?: number): void;
  /** A guarded dns.lookup for net.connect / undici `connect.lookup`; all resolved addresses are judged. */
  lookup: GuardedLookup;
  /** Like `lookup`, but "host:port" entries of allowedHosts only count for this port. */
  lookupForPort(port: number): GuardedLookup;
}

type Verdict =
  | { kind: 'public' }
  | { kind: 'loopback' | 'private'; range: string }
  | { kind: 'never'; range: string };

// Cloud metadata services; each also falls in a blocked range, but is named for a clear message
// and so that allowing private networks (Alibaba's sits in CGNAT space, AWS's IPv6 one in
// fc00::/7) can never open them.
const METADATA_ADDRESSES: ReadonlyMap<string, string> = new Map(
  [
    '169.254.169.254', // AWS, GCP, Azure, OpenStack, ...
    '169.254.170.2', // AWS ECS task metadata
    '100.100.100.200', // Alibaba Cloud
    '192.0.0.192', // Oracle Cloud (legacy)
    'fd00:ec2::254', // AWS IMDS over IPv6
  ].map((address) => [ipaddr.parse(address).toNormalizedString(), 'cloud metadata']),
);

const METADATA_HOSTNAMES: ReadonlySet<string> = new Set([
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
]);

const NEVER_IPV4_RANGES: ReadonlyMap<string, string> = new Map([
  ['unspecified', 'unspecified'],
  ['broadcast', 'broadcast'],
  ['multicast', 'multicast'],
  ['linkLocal', 'link-local'],
  ['reserved', 'reserved'],
  ['as112', 'reserved (AS112)'],
  ['amt', 'reserved (AMT)'],
  ['benchmarking', 'reserved (benchmarking)'],
]);

const NEVER_IPV6_RANGES: ReadonlyMap<string, string> = new Map([
  ['unspecified', 'unspecified'],
  ['linkLocal', 'link-local'],
  ['multicast', 'multicast'],
  ['deprecatedSiteLocal', 'site-local'],
  ['discard', 'discard-only'],
  ['teredo', 'Teredo tunnel'],
  ['benchmarking', 'reserved (benchmarking)'],
  ['amt', 'reserved (AMT)'],
  ['as112v6', 'reserved (AS112)'],
  ['deprecatedOrchid', 'reserved (ORCHID)'],
  ['orchid2', 'reserved (ORCHID)'],
  ['droneRemoteIdProtocolEntityTags', 'reserved (DRIP)'],
  ['segmentRouting', 'reserved (segment routing)'],
  ['reserved', 'reserved'],
]);

/** Judges one IP address (no brackets; an IPv6 zone is ignored). Exported for tests and logs. */
export function classifyAddress(address: string): Verdict {
  if (net.isIP(address) === 0) return { kind: 'never', range: 'unparseable' };
  const parsed = ipaddr.parse(address);
  return parsed.kind() === 'ipv4' ? classifyIpv4(parsed as ipaddr.IPv4) : classifyIpv6(parsed as ipaddr.IPv6);
}

function classifyIpv4(ip: ipaddr.IPv4): Verdict {
  const metadata = METADATA_ADDRESSES.get(ip.toNormalizedString());
  if (metadata !== undefined) return { kind: 'never', range: metadata };
  const range: string = ip.range();
  const never = NEVER_IPV4_RANGES.get(range);
  if (never !== undefined) return { kind: 'never', range: never };
  if (range === 'loopback') return { kind: 'loopback', range: 'loopback' };
  if (range === 'private') return { kind: 'private', range: 'private' };
  if (range === 'carrierGradeNat') return { kind: 'private', range: 'carrier-grade NAT' };
  if (range === 'unicast') return { kind: 'public' };
  // A range ipaddr.js learns in a later version: unknown means not a plain public address.
  return { kind: 'never', range };
}

function classifyIpv6(ip: ipaddr.IPv6): Verdict {
  const metadata = METADATA_ADDRESSES.get(ip.toNormalizedString());
  if (metadata !== undefined) return { kind: 'never', range: metadata };
  const range: string = ip.range();
  // Forms that carry an IPv4 address are judged by that address: ::ffff:169.254.169.254 reaches
  // the metadata service on dual-stack sockets, and NAT64/6to4 gateways forward to the embedded one.
  const embedded = embeddedIpv4(ip, range);
  if (embedded !== undefined) return classifyIpv4(embedded);
  if (range === 'rfc6052') return { kind: 'private', range: 'local-use NAT64' };
  const never = NEVER_IPV6_RANGES.get(range);
  if (never !== undefined) return { kind: 'never', range: never };
  if (range === 'loopback') return { kind: 'loopback', range: 'loopback' };
  if (range === 'uniqueLocal') return { kind: 'private', range: 'unique local' };
  if (range === 'unicast') {
    // ::/96 minus :: and ::1 holds the deprecated IPv4-compatible addresses; ipaddr.js calls them
    // unicast, but no registry lives there and some stacks still map them to IPv4.
    if (ip.parts.slice(0, 6).every((part) => part === 0)) return { kind: 'never', range: 'IPv4-compatible' };
    return { kind: 'public' };
  }
  return { kind: 'never', range };
}

function embeddedIpv4(ip: ipaddr.IPv6, range: string): ipaddr.IPv4 | undefined {
  const p = ip.parts;
  const fromParts = (high: number, low: number): ipaddr.IPv4 =>
    new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (IPv4-translated)
      return fromParts(p[6] ?? 0, p[7] ?? 0);
    case 'rfc6052':
      // Only the well-known prefix 64:ff9b::/96 has a fixed place for the address; the local-use
      // 64:ff9b:1::/48 does not, and is treated as private (see classifyIpv6).
      return p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0 ? fromParts(p[6] ?? 0, p[7] ?? 0) : undefined;
    case '6to4': // 2002:AABB:CCDD::/48
      return fromParts(p[1] ?? 0, p[2] ?? 0);
    default:
      return undefined;
  }
}

interface HostEntry {
  host: string;
  port?: number;
}

export function createSsrfGuard(options: SsrfGuardOptions = {}): SsrfGuard {
  const allowLoopback = options.allowLoopback ?? false;
  const allowPrivate = options.allowPrivate ?? false;
  const allowedHosts: HostEntry[] = (options.allowedHosts ?? []).map((entry) => splitHostPort(normalizeRegistryHost(entry)));
  const dnsLookup =
    options.dnsLookup ?? ((hostname: string, lookupOptions: dns.LookupAllOptions) => dns.promises.lookup(hostname, lookupOptions));

  function isHostAllowed(host: string, port: number | undefined): boolean {
    return allowedHosts.some((entry) => entry.host === host && (entry.port === undefined || port === undefined || entry.port === port));
  }

  function judge(address: string, host: string, port: number | undefined): void {
    const verdict = classifyAddress(address);
    if (verdict.kind === 'public') return;
    const shownHost = joinHostPort(port === undefined ? { host } : { host, port });
    if (verdict.kind === 'never') throw blocked(shownHost, address, `${verdict.range} addresses are never allowed for registries`);
    const allowedByFlag = verdict.kind === 'loopback' ? allowLoopback : allowPrivate;
    if (allowedByFlag || isHostAllowed(host, port)) return;
    throw blocked(
      shownHost,
      address,
      `${verdict.range} addresses are not allowed for registries; list it with --insecure-registry/allowPrivateNetworks if it is yours`,
    );
  }

  function checkHostname(host: string, port: number | undefined): void {
    const shownHost = joinHostPort(port === undefined ? { host } : { host, port });
    if (METADATA_HOSTNAMES.has(host)) throw blocked(shownHost, host, 'cloud metadata names are never allowed for registries');
    // RFC 6761: "localhost" and "*.localhost" are loopback by definition, whatever DNS says later.
    if ((host === 'localhost' || host.endsWith('.localhost')) && !allowLoopback && !isHostAllowed(host, port)) {
      throw blocked(
        shownHost,
        host,
        'loopback addresses are not allowed for registries; list it with --insecure-registry/allowPrivateNetworks if it is yours',
      );
    }
  }

  function checkUrl(url: URL): void {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new RegistryError({
        code: 'SSRF_BLOCKED',
        registry: url.host,
        message: `refusing to contact ${url.host || url.protocol}: only http and https URLs are allowed for registries`,
      });
    }
    // URL has already turned "0x7f.1", "2130706433" and "017700000001" into "127.0.0.1".
    const host = hostKey(url.hostname);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    if (net.isIP(host) !== 0) {
      judge(host, host, port);
      return;
    }
    checkHostname(host, port);
  }

  function checkAddress(address: string, _family: number | string | undefined, hostname: string, port?: number): void {
    const host = hostKey(hostname);
    // The address first: its refusal names the address actually resolved.
    judge(address, host, port);
    checkHostname(host, port);
  }

  function makeLookup(port: number | undefined): GuardedLookup {
    function lookup(
      hostname: string,
      optionsOrCallback: number | dns.LookupOptions | undefined | LookupCallback,
      maybeCallback?: LookupCallback,
    ): void {
      const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
      if (callback === undefined) throw new TypeError('lookup: callback is required');
      const requested: dns.LookupOptions =
        typeof optionsOrCallback === 'number'
          ? { family: optionsOrCallback }
          : typeof optionsOrCallback === 'object' && optionsOrCallback !== null
            ? optionsOrCallback
            : {};
      // Always resolve every address: judging only the one returned would let a rebinding answer
      // such as [public, 169.254.169.254] through on a retry or a Happy Eyeballs attempt.
      const onAddresses = (addresses: dns.LookupAddress[]): void => {
        try {
          for (const { address, family } of addresses) checkAddress(address, family, hostname, port);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '');
          return;
        }
        if (requested.all === true) {
          callback(null, addresses);
          return;
        }
        const first = addresses[0];
        if (first === undefined) {
          callback(Object.assign(new Error(`lookup ${hostname}: no addresses`), { code: 'ENOTFOUND' }), '');
          return;
        }
        callback(null, first.address, first.family);
      };
      // Always resolve every address: judging only the one returned would let a rebinding answer
      // such as [public, 169.254.169.254] through on a retry or a Happy Eyeballs attempt.
      Promise.resolve()
        .then(() => dnsLookup(hostname, { ...requested, all: true }))
        .then(onAddresses, (error: unknown) => {
          callback(error instanceof Error ? (error as NodeJS.ErrnoException) : new Error(String(error)), '');
        });
    }
    return lookup as GuardedLookup;
  }

  return { checkUrl, checkAddress, lookup: makeLookup(undefined), lookupForPort: makeLookup };
}

/**
 * A host as the allow list spells it (see splitHostPort): lowercase, no trailing dot, IPv6
 * compressed and unbracketed. Lenient: a name splitHostPort rejects (an underscore, say) is kept
 * as is; it matches no allow entry, and DNS decides whether it exists.
 */
function hostKey(hostname: string): string {
  const unbracketed = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const withoutZone = unbracketed.split('%', 1)[0] ?? '';
  if (net.isIPv4(withoutZone)) return ipaddr.IPv4.parse(withoutZone).toString();
  if (net.isIPv6(withoutZone)) return ipaddr.IPv6.parse(withoutZone).toRFC5952String();
  const lower = hostname.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function blocked(host: string, address: string, reason: string): RegistryError {
  return new RegistryError({
    code: 'SSRF_BLOCKED',
    registry: host,
    message: `refusing to contact ${host} (${address}): ${reason}`,
  });
}
