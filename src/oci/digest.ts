import { OciFormatError } from './errors.js';

export type DigestAlgorithm = 'sha256' | 'sha512';

export interface ParsedDigest {
  algorithm: DigestAlgorithm;
  /** Lower-case hex. */
  encoded: string;
}

// Only the algorithms the OCI image spec registers and registries verify; anything else could not
// be checked against the content, so it is refused rather than trusted.
const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };
const LOWER_HEX = /^[0-9a-f]+$/;

/** Parses `algorithm:encoded` (sha256: 64, sha512: 128 lower-case hex digits). Throws INVALID_DIGEST. */
export function parseDigest(text: string): ParsedDigest {
  if (typeof text !== 'string') {
    throw new OciFormatError('INVALID_DIGEST', `digest must be a string, got ${describeType(text)}`);
  }
  const colon = text.indexOf(':');
  if (colon === -1) {
    throw new OciFormatError('INVALID_DIGEST', `invalid digest ${quote(text)}: expected "sha256:<64 hex digits>"`);
  }
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    throw new OciFormatError(
      'INVALID_DIGEST',
      `invalid digest ${quote(text)}: unsupported algorithm ${quote(algorithm)} (sha256 and sha512 are supported)`,
    );
  }
  const expected = HEX_LENGTH[algorithm];
  if (encoded.length !== expected || !LOWER_HEX.test(encoded)) {
    throw new OciFormatError(
      'INVALID_DIGEST',
      `invalid digest ${quote(text)}: ${algorithm} needs exactly ${expected} lower-case hex digits`,
    );
  }
  return { algorithm, encoded };
}

export function isDigest(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    parseDigest(text);
    return true;
  } catch {
    return false;
  }
}

function quote(text: string): string {
  // Digests come from untrusted documents: keep messages short.
  return JSON.stringify(text.length > 150 ? `${text.slice(0, 150)}…` : text);
}

function describeType(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
