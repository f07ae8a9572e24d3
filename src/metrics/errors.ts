/** Errors of the metrics module. They are programming errors: a recorder was called with a value it must not export. */

export type MetricsErrorCode =
  /** A label value outside its closed set (an unknown rule ID, mode, decision or outcome). */
  | 'UNKNOWN_LABEL_VALUE'
  /** A number that cannot be recorded: negative, NaN or infinite. */
  | 'INVALID_VALUE'
  /** createMetrics() was given an option it cannot use. */
  | 'INVALID_OPTION';

export class MetricsError extends Error {
  override readonly name = 'MetricsError';
  readonly code: MetricsErrorCode;

  constructor(code: MetricsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
