import { findDigestProblem } from './digest.js';
import { InvalidReferenceError } from './errors.js';
import { explainInvalidFormat } from './format-hint.js';
import { goToLower } from './go-lowercase.js';
import { splitDockerDomain } from './normalize.js';
import { createReference, MAX_PATH_LENGTH, withDefaultTag, type Reference } from './reference.js';
import { isIdentifier, matchAnchoredName, matchReference } from './regexp.js';

/**
 * Entry points from text, with the semantics of github.com/distribution/reference v0.6.0:
 * parseReference = ParseNormalizedNamed, parseRaw = Parse, parseNamed = ParseNamed,
 * parseDockerRef = ParseDockerRef, parseAnyReference = ParseAnyReference.
 */

const UPPERCASE_DETAIL = 'repository name must be lowercase (upper case is allowed only in the registry host)';

/**
 * Parses an image reference the way docker, containerd and the kubelet do (ParseNormalizedNamed):
 * `nginx` → `docker.io/library/nginx`, `index.docker.io/x/y` → `docker.io/x/y`, `localhost/x`,
 * `host:port/x` and `[::1]:5000/x` keep their registry. A tag and a digest may both be present.
 * No default tag is added (see withDefaultTag). Throws InvalidReferenceError.
 */
export function parseReference(text: string): Reference {
  const known = parsed.get(text);
  if (known !== undefined) return known;
  const reference = parseReferenceUncached(text);
  // A webhook sees the same few hundred images over and over: remember them. References are
  // frozen, so sharing one is safe; the bound keeps hostile input from growing the map.
  if (parsed.size >= MAX_REMEMBERED) parsed.clear();
  parsed.set(text, reference);
  return reference;
}

const MAX_REMEMBERED = 10_000;
const parsed = new Map<string, Reference>();

function parseReferenceUncached(text: string): Reference {
  assertString(text);
  if (isIdentifier(text)) throw new InvalidReferenceError('NAME_IS_IDENTIFIER', text);
  const { domain, remainder } = splitDockerDomain(text);
  const tagSeparator = remainder.indexOf(':');
  const remote = tagSeparator === -1 ? remainder : remainder.slice(0, tagSeparator);
  if (goToLower(remote) !== remote) {
    throw new InvalidReferenceError('NAME_CONTAINS_UPPERCASE', text, { detail: UPPERCASE_DETAIL });
  }
  // Errors name what the user wrote, not the normalized text.
  return parseRawAs(`${domain}/${remainder}`, text);
}

/**
 * Parse: checks the grammar only, without normalizing (`nginx` stays domain '' and path `nginx`;
 * `foo/bar` is domain `foo`). For tests and for callers that must not assume Docker Hub.
 */
export function parseRaw(text: string): Reference {
  assertString(text);
  return parseRawAs(text, text);
}

function parseRawAs(text: string, input: string): Reference {
  const match = matchReference(text);
  if (match === undefined) {
    if (text === '') throw new InvalidReferenceError('NAME_EMPTY', input);
    // Valid once lower-cased: the only problem is upper case where it is not allowed.
    if (matchReference(goToLower(text)) !== undefined) {
      throw new InvalidReferenceError('NAME_CONTAINS_UPPERCASE', input, { detail: UPPERCASE_DETAIL });
    }
    // Explain what the user wrote: normalization only prefixes it, and can turn a missing name
    // into a misleading "empty path component".
    throw new InvalidReferenceError('REFERENCE_INVALID_FORMAT', input, { detail: explainInvalidFormat(input) });
  }
  // The name matched as part of the reference, so it matches on its own.
  const { domain, path } = matchAnchoredName(match.name) ?? { domain: '', path: match.name };
  if (path.length > MAX_PATH_LENGTH) {
    throw new InvalidReferenceError('NAME_TOO_LONG', input, {
      detail: `repository name must not be more than ${MAX_PATH_LENGTH} characters (it has ${path.length})`,
    });
  }
  if (match.digest !== '') {
    const problem = findDigestProblem(match.digest);
    if (problem !== undefined) throw new InvalidReferenceError(problem.code, input, { detail: problem.detail });
  }
  return createReference({ domain, path, tag: match.tag, digest: match.digest });
}

/** ParseNamed: like parseReference, but the text must already be in canonical (fully normalized) form. */
export function parseNamed(text: string): Reference {
  const ref = parseReference(text);
  if (ref.toString() !== text) {
    throw new InvalidReferenceError('NAME_NOT_CANONICAL', text, {
      detail: `repository name must be canonical (${JSON.stringify(ref.toString())})`,
    });
  }
  return ref;
}

/**
 * ParseDockerRef: parseReference, then the reference docker pulls: a digest wins over a tag (the
 * tag is dropped), and a bare name gets `latest`.
 */
export function parseDockerRef(text: string): Reference {
  const ref = parseReference(text);
  if (ref.tag !== undefined && ref.digest !== undefined) {
    return createReference({ domain: ref.domain, path: ref.path, digest: ref.digest });
  }
  return withDefaultTag(ref);
}

/** A reference that is only a digest (an image ID), as parseAnyReference may return. */
export interface DigestOnlyReference {
  readonly digest: string;
  toString(): string;
}

/**
 * ParseAnyReference: a 64-hex image ID or a digest becomes a digest-only reference; anything else
 * is parsed with parseReference.
 */
export function parseAnyReference(text: string): Reference | DigestOnlyReference {
  assertString(text);
  if (isIdentifier(text)) return digestOnly(`sha256:${text}`);
  if (findDigestProblem(text) === undefined) return digestOnly(text);
  return parseReference(text);
}

function digestOnly(digest: string): DigestOnlyReference {
  return Object.freeze({ digest, toString: () => digest });
}

// Callers hand in values decoded from JSON; a number or null must fail like any bad reference.
function assertString(text: unknown): asserts text is string {
  if (typeof text !== 'string') {
    throw new InvalidReferenceError('REFERENCE_INVALID_FORMAT', String(text), {
      detail: `a reference must be a string, got ${text === null ? 'null' : typeof text}`,
    });
  }
}
