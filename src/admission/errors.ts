/** Why a request body is not an AdmissionReview slimguard can answer; the webhook maps every code to HTTP 400. */
export type AdmissionDecodeErrorCode =
  /** The body is not a JSON object with kind AdmissionReview. */
  | 'NOT_ADMISSION_REVIEW'
  /** An AdmissionReview of another apiVersion (admission.k8s.io/v1beta1, or none). */
  | 'UNSUPPORTED_VERSION'
  /** No `request` object: a response, or a truncated body. */
  | 'MISSING_REQUEST'
  /** `request.uid` is missing, empty or not a string: there is nothing to echo back. */
  | 'MISSING_UID'
  /** The request's kind or operation is malformed, or a CREATE/UPDATE carries no object. */
  | 'INVALID_OBJECT';

/**
 * A request body that is not an AdmissionReview v1 request. Messages say which field is wrong and
 * never quote more than a short piece of the input (the body comes from the network).
 */
export class AdmissionDecodeError extends Error {
  readonly code: AdmissionDecodeErrorCode;
  /** The request uid when it was read before the problem was found, for the log line. */
  readonly uid: string | undefined;

  constructor(code: AdmissionDecodeErrorCode, message: string, options: { uid?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AdmissionDecodeError';
    this.code = code;
    this.uid = options.uid;
  }
}
