/**
 * Image reference parsing with the semantics of github.com/distribution/reference v0.6.0
 * (ParseNormalizedNamed and friends). Pure: no I/O.
 */
export { InvalidReferenceError, type InvalidReferenceErrorCode } from './errors.js';
export { type Reference, withDefaultTag, withDigest, withName, withTag, withoutTagOrDigest } from './reference.js';
export { parseDockerRef, parseNamed, parseRaw, parseReference } from './parse-reference.js';
export { DEFAULT_DOMAIN, DEFAULT_TAG, LEGACY_DEFAULT_DOMAIN } from './normalize.js';
export { isDigest, parseDigestString } from './digest.js';
export { isIdentifier } from './regexp.js';
