import { RegistryError, RegistryInputError } from './errors.js';
import { normalizeRegistryHost, splitHostPort } from './registry-host.js';

export interface HostPolicyOptions {
  /**
   * Registries that may be contacted; empty or absent allows all. Patterns: "ghcr.io" (exact host,
   * no port), "registry.local:5000" (exact host and port), "*.example.com" (subdomains at any
   * depth, not example.com itself), "host:*" or "*.example.com:*" (any port), "*" (everything).
   */
  allow?: readonly string[];
  /** Registries never contacted, same patterns; deny wins over allow. */
  deny?: readonly string[];
  /**
   * Exact host[:port] entries that are spoken to over plain HTTP (no patterns: each insecure
   * registry is a deliberate, named exception). They still pass allow/deny.
   */
  insecure?: readonly string[];
}

export interface HostPolicy {
  /** Throws RegistryError HOST_NOT_ALLOWED unless the registry passes deny and allow. */
  check(registry: string, image?: string): void;
  scheme(registry: string): 'https' | 'http';
  isInsecure(registry: string): boolean;
}

interface HostPattern {
  text: string;
  /** Exact host, or the suffix (".example.com") for a subdomain wildcard. */
  host: string;
  subdomains: boolean;
  anyHost: boolean;
  /** undefined: the registry must have no port; 'any': any or none. */
  port: number | 'any' | undefined;
}

export function createHostPolicy(options: HostPolicyOptions = {}): HostPolicy {
  const allow = (options.allow ?? []).map(parsePattern);
  const deny = (options.deny ?? []).map(parsePattern);
  const insecure = new Set((options.insecure ?? []).map(normalizeInsecureEntry));

  function isInsecure(registry: string): boolean {
    const normalized = tryNormalize(registry);
    return normalized !== undefined && insecure.has(normalized);
  }

  return {
    check(registry, image) {
      const normalized = tryNormalize(registry);
      const subject = normalized ?? registry;
      const refuse = (what: string): RegistryError =>
        new RegistryError({ code: 'HOST_NOT_ALLOWED', registry: subject, ...(image === undefined ? {} : { image }), what });
      if (normalized === undefined) throw refuse(`${JSON.stringify(registry)} is not a valid registry host`);
      const target = splitHostPort(normalized);
      const denied = deny.find((pattern) => matches(pattern, target.host, target.port));
      if (denied !== undefined) {
        throw refuse(`registry ${normalized} is denied by the registry policy (deny pattern ${JSON.stringify(denied.text)})`);
      }
      if (allow.length > 0 && !allow.some((pattern) => matches(pattern, target.host, target.port))) {
        throw refuse(`registry ${normalized} is not in the allowed registries; add it to the allow list if it should be used`);
      }
    },
    scheme: (registry) => (isInsecure(registry) ? 'http' : 'https'),
    isInsecure,
  };
}

function matches(pattern: HostPattern, host: string, port: number | undefined): boolean {
  if (pattern.port !== 'any' && pattern.port !== port) return false;
  if (pattern.anyHost) return true;
  // Label-boundary suffix match: "*.example.com" matches "a.example.com" but neither
  // "example.com" nor "evil-example.com".
  if (pattern.subdomains) return host.endsWith(pattern.host) && host.length > pattern.host.length;
  return host === pattern.host;
}

function parsePattern(text: string): HostPattern {
  const trimmed = text.trim();
  const invalid = (reason: string, cause?: unknown): RegistryInputError =>
    new RegistryInputError({
      code: 'INVALID_HOST_PATTERN',
      message: `invalid registry host pattern ${JSON.stringify(text)}: ${reason}`,
      ...(cause === undefined ? {} : { cause }),
    });
  if (trimmed === '*') return { text, host: '', subdomains: false, anyHost: true, port: 'any' };

  let hostPart = trimmed;
  let port: number | 'any' | undefined;
  if (trimmed.endsWith(':*')) {
    hostPart = trimmed.slice(0, -2);
    port = 'any';
  }
  const subdomains = hostPart.startsWith('*.');
  if (subdomains) hostPart = hostPart.slice(2);
  if (hostPart.includes('*')) throw invalid('only a leading "*." and a trailing ":*" are supported');
  if (hostPart.includes('/')) throw invalid('a pattern is a host[:port], without scheme or path');

  let parsed: { host: string; port?: number };
  try {
    // Subdomain patterns skip the Docker Hub aliasing: "*.index.docker.io" is not "*.docker.io".
    parsed = subdomains ? splitHostPort(hostPart) : splitHostPort(normalizeRegistryHost(hostPart));
  } catch (error) {
    throw invalid('not a host[:port]', error);
  }
  if (port === 'any' && parsed.port !== undefined) throw invalid('give either a port or ":*", not both');
  if (subdomains && parsed.host.includes(':')) throw invalid('"*." cannot prefix an IP address');
  if (subdomains && /^[\d.]+$/.test(parsed.host)) throw invalid('"*." cannot prefix an IP address');
  return {
    text,
    host: subdomains ? `.${parsed.host}` : parsed.host,
    subdomains,
    anyHost: false,
    port: port ?? parsed.port,
  };
}

function normalizeInsecureEntry(text: string): string {
  try {
    return normalizeRegistryHost(text);
  } catch (error) {
    throw new RegistryInputError({
      code: 'INVALID_HOST_PATTERN',
      message: `invalid insecure registry ${JSON.stringify(text)}: expected host[:port]`,
      cause: error,
    });
  }
}

function tryNormalize(registry: string): string | undefined {
  try {
    return normalizeRegistryHost(registry);
  } catch {
    return undefined;
  }
}
