/** Why a document from a registry or an OCI layout was rejected. */
export type OciFormatErrorCode =
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'SCHEMA1_UNSUPPORTED'
  | 'INVALID_MANIFEST'
  | 'INVALID_CONFIG'
  | 'INVALID_DIGEST'
  | 'INVALID_PLATFORM'
  | 'INVALID_PROVENANCE';

/**
 * A manifest, index, config, digest, platform or provenance document that slimguard cannot use.
 * Messages say what is wrong and what to do; they never name the image (the caller adds it).
 */
export class OciFormatError extends Error {
  readonly code: OciFormatErrorCode;

  constructor(code: OciFormatErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OciFormatError';
    this.code = code;
  }
}
