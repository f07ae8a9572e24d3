import { InvalidReferenceError, type InvalidReferenceErrorCode } from './errors.js';

/**
 * Digest validation with the rules of github.com/opencontainers/go-digest v1.0.0 `Parse`, which is
 * what distribution/reference applies to the digest of a reference: sha256, sha384 and sha512 are
 * known (with 64, 96 and 128 lower-case hex digits); any other well-formed algorithm is
 * "unsupported" rather than "invalid".
 */

const HEX_LENGTH_BY_ALGORITHM: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

/** go-digest DigestRegexpAnchored: the shape of any digest, known algorithm or not. */
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const LOWER_HEX = /^[a-f0-9]+$/;

/** Why `text` is not a valid digest, or undefined when it is one. Same order of checks as go-digest. */
export function findDigestProblem(text: string): { code: InvalidReferenceErrorCode; detail: string } | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon + 1 === text.length) {
    return { code: 'DIGEST_INVALID_FORMAT', detail: 'invalid checksum digest format (expected algorithm:hex)' };
  }
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  const hexLength = HEX_LENGTH_BY_ALGORITHM.get(algorithm);
  if (hexLength === undefined) {
    return ANY_DIGEST.test(text)
      ? {
          code: 'DIGEST_UNSUPPORTED',
          detail: `unsupported digest algorithm ${JSON.stringify(algorithm.slice(0, 64))} (sha256, sha384 and sha512 are supported)`,
        }
      : { code: 'DIGEST_INVALID_FORMAT', detail: 'invalid checksum digest format' };
  }
  if (encoded.length !== hexLength) {
    return {
      code: 'DIGEST_INVALID_LENGTH',
      detail: `invalid checksum digest length: ${algorithm} needs ${hexLength} hex digits, got ${encoded.length}`,
    };
  }
  if (!LOWER_HEX.test(encoded)) {
    return { code: 'DIGEST_INVALID_FORMAT', detail: `invalid checksum digest format: ${algorithm} needs lower-case hex digits` };
  }
  return undefined;
}

/** Returns `text` when it is a valid digest (go-digest rules); throws InvalidReferenceError otherwise. */
export function parseDigestString(text: string): string {
  const problem = findDigestProblem(text);
  if (problem !== undefined) {
    throw new InvalidReferenceError(problem.code, text, { subject: 'digest', detail: problem.detail });
  }
  return text;
}

/** True when `text` is a valid sha256, sha384 or sha512 digest such as `sha256:<64 lower-case hex>`. */
export function isDigest(text: unknown): text is string {
  return typeof text === 'string' && findDigestProblem(text) === undefined;
}
