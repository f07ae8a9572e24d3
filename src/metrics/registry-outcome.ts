import { RegistryError, type RegistryErrorCode } from '../registry/errors.js';

/** The closed set of the `outcome` label of the registry request metrics. */
export const REGISTRY_OUTCOMES = [
  'ok',
  'not_found',
  'unauthorized',
  'throttled',
  'server_error',
  'timeout',
  'network',
  'refused',
  'other',
] as const;
export type RegistryOutcome = (typeof REGISTRY_OUTCOMES)[number];

const OUTCOME_BY_CODE: Record<RegistryErrorCode, RegistryOutcome> = {
  UNAUTHORIZED: 'unauthorized',
  DENIED: 'unauthorized',
  NOT_FOUND: 'not_found',
  TOO_MANY_REQUESTS: 'throttled',
  SERVER_ERROR: 'server_error',
  TIMEOUT: 'timeout',
  NETWORK: 'network',
  // We refused to talk to the registry at all: an operator's allowlist or the SSRF guard said no.
  SSRF_BLOCKED: 'refused',
  HOST_NOT_ALLOWED: 'refused',
  INSECURE_NOT_ALLOWED: 'refused',
  TOO_LARGE: 'other',
  DIGEST_MISMATCH: 'other',
  BAD_RESPONSE: 'other',
  REDIRECT: 'other',
  UNSUPPORTED: 'other',
};

/** The outcome label for a failed registry request; anything that is not a RegistryError is `other`. */
export function registryOutcomeOfError(error: unknown): RegistryOutcome {
  if (error instanceof RegistryError) return OUTCOME_BY_CODE[error.code];
  return 'other';
}
