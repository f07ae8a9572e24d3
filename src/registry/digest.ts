import { createHash } from 'node:crypto';
import { RegistryError } from './errors.js';

const SUPPORTED = new Set(['sha256', 'sha512']);

/** `sha256:<hex>` of the bytes with the given algorithm. */
export function computeDigest(bytes: Uint8Array, algorithm: 'sha256' | 'sha512' = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/**
 * Checks that `bytes` hash to `expected`. A mismatch means a corrupting proxy, a broken
 * mirror or an attack: it is an error, never a fact.
 */
export function verifyDigest(
  bytes: Uint8Array,
  expected: string,
  context: { registry: string; image?: string; what: string },
): void {
  const algorithm = expected.slice(0, expected.indexOf(':'));
  if (!SUPPORTED.has(algorithm)) {
    throw new RegistryError({
      code: 'UNSUPPORTED',
      registry: context.registry,
      image: context.image,
      temporary: false,
      what: `${context.what} has digest algorithm "${algorithm}", which slimguard cannot verify (sha256 and sha512 are supported)`,
    });
  }
  const actual = computeDigest(bytes, algorithm as 'sha256' | 'sha512');
  if (actual !== expected) {
    throw new RegistryError({
      code: 'DIGEST_MISMATCH',
      registry: context.registry,
      image: context.image,
      temporary: false,
      what: `${context.what} content does not match its digest: expected ${expected}, got ${actual}; the registry or a proxy in between served corrupted content`,
    });
  }
}
