/** Errors of the kube module. Messages never carry a credential, a token or Secret data. */

export type KubeErrorCode =
  /** An explicitly named kubeconfig file does not exist. */
  | 'KUBECONFIG_NOT_FOUND'
  /** A kubeconfig file exists but cannot be read or used (bad YAML, no current context or cluster). */
  | 'KUBECONFIG_INVALID'
  /** `inCluster: true` but this process does not run in a pod (no service host/port or token). */
  | 'NOT_IN_CLUSTER'
  /** An operation that needs a cluster was asked of a disabled KubeContext. */
  | 'KUBE_DISABLED'
  /** The API server answered with an error, or could not be reached. */
  | 'KUBE_API'
  /** The ValidatingWebhookConfiguration to patch does not exist. */
  | 'WEBHOOK_CONFIGURATION_NOT_FOUND'
  /** The CA bundle is not PEM certificates (or carries a private key). */
  | 'INVALID_CA_BUNDLE'
  /** RBAC refused a request; the message names the verb, the object and whom to grant it to. */
  | 'FORBIDDEN'
  /** The certificate Secret exists with another type than kubernetes.io/tls (the type is immutable). */
  | 'SECRET_TYPE_MISMATCH'
  /** Options given to a factory that cannot work. */
  | 'INVALID_OPTION';

export class KubeError extends Error {
  override readonly name: string = 'KubeError';
  readonly code: KubeErrorCode;
  /** The API server's HTTP status, when it answered. */
  readonly statusCode: number | undefined;

  constructor(code: KubeErrorCode, message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.statusCode = options?.statusCode;
  }
}

/**
 * A short, log-safe description of an error from @kubernetes/client-node: the HTTP status and the
 * API server's Status message, or the network error code. client-node's ApiException message
 * embeds the whole response (headers included); this keeps only what an operator needs.
 */
export function describeKubeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const status = statusCodeOf(error);
  const statusMessage = apiStatusMessage(error);
  if (status !== undefined) return `HTTP ${status}${statusMessage === undefined ? '' : `: ${statusMessage}`}`;
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: unknown }).cause;
  const causeCode = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const causeMessage = cause instanceof Error ? cause.message : undefined;
  if (typeof causeCode === 'string') return `${message} (${causeCode})`;
  if (causeMessage !== undefined && causeMessage !== '') return `${message} (${causeMessage})`;
  return message;
}

/** The HTTP status an error carries: client-node's ApiException `code`, or the watch's `statusCode`. */
export function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  for (const key of ['statusCode', 'code'] as const) {
    const value = (error as Record<string, unknown>)[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599) return value;
  }
  return undefined;
}

/** The `message` of a Kubernetes Status body (ApiException.body is its JSON text or the parsed object). */
function apiStatusMessage(error: object): string | undefined {
  let body = (error as { body?: unknown }).body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof body !== 'object' || body === null) return undefined;
  const message = (body as { message?: unknown }).message;
  return typeof message === 'string' && message !== '' ? message.slice(0, 500) : undefined;
}
