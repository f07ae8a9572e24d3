import type { Platform } from '../oci/types.js';

export type ImageFactsErrorCode =
  | 'INVALID_REFERENCE'
  | 'PLATFORM_NOT_FOUND'
  | 'LAYOUT_INVALID'
  | 'NOT_FOUND'
  | 'UNSUPPORTED_FORMAT'
  | 'DIGEST_MISMATCH'
  | 'TOO_LARGE';

/** A lookup that cannot produce facts for a reason in the image itself (not the network). */
export class ImageFactsError extends Error {
  override readonly name = 'ImageFactsError';
  readonly code: ImageFactsErrorCode;
  readonly image: string;
  /** Whether a retry later could succeed (never for these: the image is what it is). */
  readonly temporary = false;
  /** PLATFORM_NOT_FOUND: what the index does offer, so a caller can judge those instead. */
  readonly availablePlatforms?: Platform[];

  constructor(options: { code: ImageFactsErrorCode; image: string; message: string; cause?: unknown; availablePlatforms?: Platform[] }) {
    super(`${options.image}: ${options.message}`, { cause: options.cause });
    this.code = options.code;
    this.image = options.image;
    if (options.availablePlatforms) this.availablePlatforms = options.availablePlatforms;
  }
}
