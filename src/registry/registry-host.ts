import { domainToASCII } from 'node:url';
import ipaddr from 'ipaddr.js';
import { RegistryInputError } from './errors.js';

/** The normalized name of Docker Hub, as distribution/reference spells it. */
export const DOCKER_HUB_REGISTRY = 'docker.io';
/** The host that actually serves Docker Hub's registry API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

// Every spelling docker config files and users use for Docker Hub; `docker login` writes
// "https://index.docker.io/v1/".
const DOCKER_HUB_ALIASES: ReadonlySet<string> = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

export interface HostPort {
  /** Hostname or IP address; IPv6 without brackets. Lowercase, no trailing dot. */
  host: string;
  port?: number;
}

/**
 * Normalizes a registry host as written in docker config keys, flags and policy files:
 * "https://index.docker.io/v1/" → "docker.io", "Registry.Example.com:5000/foo" →
 * "registry.example.com:5000", "[0:0::1]:5000" → "[::1]:5000". Ports are kept exactly (no
 * default-port folding), so host and host:port stay different registries. Throws
 * RegistryInputError for anything that is not a host[:port].
 */
export function normalizeRegistryHost(text: string): string {
  const trimmed = text.trim();
  const withoutScheme = stripScheme(trimmed);
  // Everything after the authority is path, query or fragment: docker config keys carry "/v1/".
  const authority = withoutScheme.split(/[/?#]/, 1)[0] ?? '';
  const { host, port } = parseHostPort(authority, trimmed);
  if (port === undefined && DOCKER_HUB_ALIASES.has(host)) return DOCKER_HUB_REGISTRY;
  return joinHostPort({ host, ...(port === undefined ? {} : { port }) });
}

/** The host[:port] to contact for a normalized registry: Docker Hub is served by registry-1.docker.io. */
export function registryApiHost(registry: string): string {
  const normalized = normalizeRegistryHost(registry);
  return normalized === DOCKER_HUB_REGISTRY ? DOCKER_HUB_API_HOST : normalized;
}

/**
 * Splits "host", "host:port", "[v6]" or "[v6]:port" (no scheme or path). The host comes back
 * lowercase and canonical (IDN to punycode, numeric IPv4 forms to dotted decimal, IPv6 compressed
 * without brackets). Throws RegistryInputError.
 */
export function splitHostPort(hostPort: string): HostPort {
  return parseHostPort(hostPort.trim(), hostPort);
}

/** The inverse of splitHostPort: brackets IPv6 addresses. */
export function joinHostPort({ host, port }: HostPort): string {
  const hostText = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? hostText : `${hostText}:${port}`;
}

function stripScheme(text: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (match === null) return text;
  const scheme = (match[1] ?? '').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') {
    throw invalidHost(text, `scheme ${scheme}:// is not a registry scheme (use a host[:port])`);
  }
  return text.slice(match[0].length);
}

function parseHostPort(authority: string, original: string): { host: string; port?: number } {
  if (authority === '') throw invalidHost(original, 'empty host');
  // Never echo user info: it is usually "user:password".
  if (authority.includes('@')) {
    throw new RegistryInputError({
      code: 'INVALID_REGISTRY_HOST',
      message: 'invalid registry host: user info ("user:password@") is not allowed in a registry host',
    });
  }
  // "%" would be percent-decoded by the WHATWG host parser ("a%2eb" is "a.b" to it), and it
  // would cut "a/b" or "a#b" short instead of refusing them.
  if (/[\s\x00-\x1f\x7f%\\/?#]/.test(authority)) {
    throw invalidHost(original, 'contains whitespace, control, escape or URL delimiter characters');
  }

  let hostText: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close < 0) throw invalidHost(original, 'unterminated "[" in IPv6 address');
    hostText = authority.slice(1, close);
    const rest = authority.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) throw invalidHost(original, 'unexpected text after "]"');
      portText = rest.slice(1);
    }
    return { host: canonicalIpv6(hostText, original), ...parsePortPart(portText, original) };
  }
  const colons = authority.split(':').length - 1;
  if (colons > 1) {
    // A bare IPv6 address: it cannot carry a port without brackets.
    return { host: canonicalIpv6(authority, original) };
  }
  [hostText = '', portText] = authority.split(':');
  return { host: canonicalHostname(hostText, original), ...parsePortPart(portText, original) };
}

function parsePortPart(portText: string | undefined, original: string): { port?: number } {
  if (portText === undefined) return {};
  if (!/^\d{1,5}$/.test(portText)) throw invalidHost(original, 'port must be a number from 1 to 65535');
  const port = Number(portText);
  if (port < 1 || port > 65535) throw invalidHost(original, 'port must be a number from 1 to 65535');
  return { port };
}

function canonicalIpv6(text: string, original: string): string {
  if (text.includes('%')) throw invalidHost(original, 'IPv6 zone identifiers are not allowed');
  if (!ipaddr.IPv6.isValid(text)) throw invalidHost(original, 'not a valid IPv6 address');
  return ipaddr.IPv6.parse(text).toRFC5952String();
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

function canonicalHostname(text: string, original: string): string {
  // domainToASCII applies the WHATWG host parser, the one fetch uses: lowercase, IDN to
  // punycode, and "0x7f.1" / "2130706433" to "127.0.0.1", so policies see what gets contacted.
  const ascii = domainToASCII(text);
  if (ascii === '') throw invalidHost(original, 'not a valid hostname');
  // "example.com." and "example.com" are the same DNS name; one spelling keeps matching exact.
  const host = ascii.endsWith('.') ? ascii.slice(0, -1) : ascii;
  if (host.length === 0 || host.length > 253) throw invalidHost(original, 'not a valid hostname');
  for (const label of host.split('.')) {
    if (label.length > 63 || !LABEL.test(label)) throw invalidHost(original, 'not a valid hostname');
  }
  return host;
}

function invalidHost(original: string, reason: string): RegistryInputError {
  // Hosts are not secret, but cap the echo so a pasted blob does not flood a log line.
  const shown = original.length > 100 ? `${original.slice(0, 100)}...` : original;
  return new RegistryInputError({
    code: 'INVALID_REGISTRY_HOST',
    message: `invalid registry host ${JSON.stringify(shown)}: ${reason}`,
  });
}
