/** Errors of the certs module. Messages never carry key material. */

export type CertsErrorCode =
  /** Options that cannot work (no SAN at all, a lifetime that is not a positive number). */
  | 'INVALID_OPTION'
  /** Bootstrap mode was asked for, but no cluster is configured. */
  | 'NO_CLUSTER'
  /** The certificate Secret could not be read, created or updated (RBAC, API server down). */
  | 'SECRET_UNAVAILABLE'
  /** Other writers kept changing the Secret between our read and our write. */
  | 'SECRET_CONTENDED'
  /** tls.crt/tls.key could not be written to the certificate directory. */
  | 'WRITE_FAILED'
  /** The caBundle of the webhook configuration could not be patched. */
  | 'CA_BUNDLE_PATCH_FAILED';

export class CertsError extends Error {
  override readonly name: string = 'CertsError';
  readonly code: CertsErrorCode;
  /** false for a failure that retrying cannot fix (RBAC forbidden, a missing namespace, bad options). */
  readonly retryable: boolean;

  constructor(code: CertsErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}
