/** A review the webhook cannot answer as a review: the HTTP layer answers `statusCode` instead. */
export class BadReviewError extends Error {
  override readonly name = 'BadReviewError';
  readonly statusCode = 400;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
