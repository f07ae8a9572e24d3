/**
 * Why a text is not a usable image reference. One code per error variable of
 * github.com/distribution/reference (and of go-digest for digests), so callers and tests can tell
 * the cases apart exactly as upstream callers do.
 */
export type InvalidReferenceErrorCode =
  /** ErrReferenceInvalidFormat: the text does not follow `[domain/]path[:tag][@digest]`. */
  | 'REFERENCE_INVALID_FORMAT'
  /** ErrTagInvalidFormat (withTag only). */
  | 'TAG_INVALID_FORMAT'
  /** ErrDigestInvalidFormat / go-digest ErrDigestInvalidFormat. */
  | 'DIGEST_INVALID_FORMAT'
  /** go-digest ErrDigestInvalidLength: right algorithm, wrong number of hex digits. */
  | 'DIGEST_INVALID_LENGTH'
  /** go-digest ErrDigestUnsupported: well-formed, but not sha256, sha384 or sha512. */
  | 'DIGEST_UNSUPPORTED'
  /** ErrNameContainsUppercase (and ParseNormalizedNamed's "must be lowercase" error). */
  | 'NAME_CONTAINS_UPPERCASE'
  /** ErrNameEmpty. */
  | 'NAME_EMPTY'
  /** ErrNameTooLong: the path (without the domain) is longer than 255 characters. */
  | 'NAME_TOO_LONG'
  /** ErrNameNotCanonical (parseNamed only). */
  | 'NAME_NOT_CANONICAL'
  /**
   * ParseNormalizedNamed refuses a bare 64-hex string ("cannot specify 64-byte hexadecimal
   * strings"): it is an image ID, not a repository. Upstream has no error variable for it.
   */
  | 'NAME_IS_IDENTIFIER';

/** The upstream wording, used when the thrower has nothing more specific to say. */
const UPSTREAM_DETAIL: Record<InvalidReferenceErrorCode, string> = {
  REFERENCE_INVALID_FORMAT: 'invalid reference format',
  TAG_INVALID_FORMAT: 'invalid tag format',
  DIGEST_INVALID_FORMAT: 'invalid digest format',
  DIGEST_INVALID_LENGTH: 'invalid checksum digest length',
  DIGEST_UNSUPPORTED: 'unsupported digest algorithm',
  NAME_CONTAINS_UPPERCASE: 'repository name must be lowercase',
  NAME_EMPTY: 'repository name must have at least one component',
  NAME_TOO_LONG: 'repository name must not be more than 255 characters',
  NAME_NOT_CANONICAL: 'repository name must be canonical',
  NAME_IS_IDENTIFIER: 'cannot specify 64-byte hexadecimal strings (that is an image ID, not a repository name)',
};

export interface InvalidReferenceErrorOptions {
  /** What is wrong, in words; defaults to the upstream message for the code. */
  detail?: string;
  /** What the input was meant to be: 'reference' (default), 'digest', 'tag', 'name'. */
  subject?: string;
  cause?: unknown;
}

// References come from untrusted admission requests: keep messages (and logs) short.
const MAX_QUOTED_LENGTH = 256;

/** A text that is not a valid image reference (or tag, or digest). Never carries credentials: references have none. */
export class InvalidReferenceError extends Error {
  readonly code: InvalidReferenceErrorCode;
  /** The text that was parsed, unabridged. */
  readonly input: string;

  constructor(code: InvalidReferenceErrorCode, input: string, options: InvalidReferenceErrorOptions = {}) {
    const detail = options.detail ?? UPSTREAM_DETAIL[code];
    super(
      `invalid ${options.subject ?? 'reference'} ${quoteInput(input)}: ${detail}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'InvalidReferenceError';
    this.code = code;
    this.input = input;
  }
}

/** Quotes untrusted text for a message: escaped like JSON, cut after `maxLength` characters. */
export function quoteInput(text: string, maxLength = MAX_QUOTED_LENGTH): string {
  return JSON.stringify(text.length > maxLength ? `${text.slice(0, maxLength)}…` : text);
}
