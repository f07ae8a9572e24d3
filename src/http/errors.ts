/** Errors of the http module: an HTTP answer other than 200, or a server that cannot start. */

export type HttpErrorCode =
  /** The body is not valid JSON, is empty, or the request is otherwise malformed. */
  | 'BAD_REQUEST'
  /** Content-Type is not JSON, or the body is compressed. */
  | 'UNSUPPORTED_MEDIA_TYPE'
  /** The body is larger than maxBodyBytes (announced by Content-Length or found while reading). */
  | 'PAYLOAD_TOO_LARGE'
  /** A path this server does not serve. */
  | 'NOT_FOUND'
  /** A served path with the wrong method. */
  | 'METHOD_NOT_ALLOWED'
  /** More reviews in flight than maxConcurrent. */
  | 'TOO_MANY_REQUESTS'
  /** The review handler failed; the details are in the log, never in the answer. */
  | 'INTERNAL'
  /** The client closed the connection before the answer; nothing can be sent (reported as 499). */
  | 'CLIENT_CLOSED'
  /** The TLS certificate or key could not be read or do not make a usable pair. */
  | 'TLS_LOAD'
  /** Options given to a factory that cannot work. */
  | 'INVALID_OPTION'
  /** A handler error that carried its own code (kept as given). */
  | (string & {});

/**
 * An answer other than 200. The review handler may throw one (or any error with a numeric 4xx
 * `statusCode`) for a request it cannot decode; the message is sent to the caller, so it must never
 * contain a credential or the request body.
 */
export class HttpError extends Error {
  override readonly name: string = 'HttpError';
  readonly statusCode: number;
  readonly code: HttpErrorCode;

  constructor(statusCode: number, code: HttpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** The TLS material cannot be used; `file` names what was being read when known. */
export class TlsLoadError extends HttpError {
  override readonly name = 'TlsLoadError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(500, 'TLS_LOAD', message, options);
  }
}

/** A client error (4xx) an error carries, or undefined for anything that should become a 500. */
export function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode)) return undefined;
  return statusCode >= 400 && statusCode <= 499 ? statusCode : undefined;
}
