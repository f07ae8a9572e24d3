/**
 * Errors of the registry module. Messages name the image or registry and say what to do next;
 * they never contain a credential, a token or a registry's free-text error message (which can be
 * long and is attacker-controlled): the parsed distribution errors are kept in `errors` instead.
 */

export type RegistryErrorCode =
  | 'UNAUTHORIZED'
  | 'DENIED'
  | 'NOT_FOUND'
  | 'TOO_MANY_REQUESTS'
  | 'SERVER_ERROR'
  | 'NETWORK'
  | 'TIMEOUT'
  | 'SSRF_BLOCKED'
  | 'HOST_NOT_ALLOWED'
  | 'TOO_LARGE'
  | 'DIGEST_MISMATCH'
  | 'BAD_RESPONSE'
  | 'INSECURE_NOT_ALLOWED'
  | 'REDIRECT'
  | 'UNSUPPORTED';

/** One entry of a distribution error body: `{"errors":[{"code","message","detail"}]}`. */
export interface DistributionError {
  /** MANIFEST_UNKNOWN, NAME_UNKNOWN, BLOB_UNKNOWN, UNAUTHORIZED, DENIED, TOOMANYREQUESTS, ... */
  code: string;
  message: string;
  detail?: unknown;
}

/** Codes whose failure may go away by itself, so retrying (later) makes sense. */
const TEMPORARY_CODES: ReadonlySet<RegistryErrorCode> = new Set([
  'TOO_MANY_REQUESTS',
  'SERVER_ERROR',
  'NETWORK',
  'TIMEOUT',
]);

interface RegistryErrorCommonOptions {
  code: RegistryErrorCode;
  /** Normalized registry host[:port], e.g. "docker.io". */
  registry: string;
  /** The image reference being read, when known; it leads the message. */
  image?: string;
  status?: number;
  /** Defaults by code: TOO_MANY_REQUESTS, SERVER_ERROR, NETWORK and TIMEOUT are temporary. */
  temporary?: boolean;
  errors?: DistributionError[];
  retryAfterMs?: number;
  cause?: unknown;
}

export type RegistryErrorOptions = RegistryErrorCommonOptions &
  (
    | {
        /**
         * What happened and what to do, e.g. "manifest unknown: check the tag exists in registry X".
         * The message becomes `<image or registry>: <what> (<registry>, HTTP <status>, <DIST_CODE>)`.
         */
        what: string;
        message?: never;
      }
    | {
        /** A complete message used as is, for errors whose wording is fixed (SSRF refusals). */
        message: string;
        what?: never;
      }
  );

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly status: number | undefined;
  readonly registry: string;
  readonly image: string | undefined;
  readonly temporary: boolean;
  readonly errors: DistributionError[];
  readonly retryAfterMs: number | undefined;

  constructor(options: RegistryErrorOptions) {
    const errors = options.errors ?? [];
    const message =
      options.message ??
      formatRegistryMessage({
        what: options.what ?? '',
        registry: options.registry,
        image: options.image,
        status: options.status,
        errors,
      });
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.status = options.status;
    this.registry = options.registry;
    this.image = options.image;
    this.temporary = options.temporary ?? TEMPORARY_CODES.has(options.code);
    this.errors = errors;
    this.retryAfterMs = options.retryAfterMs;
  }
}

function formatRegistryMessage(parts: {
  what: string;
  registry: string;
  image: string | undefined;
  status: number | undefined;
  errors: DistributionError[];
}): string {
  const subject = parts.image ?? parts.registry;
  const context: string[] = [];
  // The registry is already the subject when no image is known: don't say it twice.
  if (parts.image !== undefined) context.push(parts.registry);
  if (parts.status !== undefined) context.push(`HTTP ${parts.status}`);
  const distCodes = [...new Set(parts.errors.map((e) => e.code))];
  if (distCodes.length > 0) context.push(distCodes.join(','));
  return `${subject}: ${parts.what}${context.length > 0 ? ` (${context.join(', ')})` : ''}`;
}

export type CredentialsErrorCode = 'INVALID_DOCKER_CONFIG' | 'UNREADABLE_DOCKER_CONFIG' | 'CREDENTIAL_HELPER_FAILED';

/**
 * A docker config or pull secret that cannot be used. The message names the source (file path,
 * `pull secret ns/name`) and the offending key, never a secret value; for the same reason a JSON
 * parse error is not attached as cause (V8 quotes the input text in it).
 */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
  readonly code: CredentialsErrorCode;
  readonly source: string;

  constructor(options: { code: CredentialsErrorCode; source: string; message: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.source = options.source;
  }
}

export type RegistryInputErrorCode = 'INVALID_REGISTRY_HOST' | 'INVALID_HOST_PATTERN' | 'INVALID_REPOSITORY_PATH';

/** Operator or caller input that is not a valid registry host, host pattern or repository path. */
export class RegistryInputError extends Error {
  override readonly name = 'RegistryInputError';
  readonly code: RegistryInputErrorCode;

  constructor(options: { code: RegistryInputErrorCode; message: string; cause?: unknown }) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
  }
}

/** Parses a distribution error body. Never throws: anything unexpected yields fewer entries. */
export function parseDistributionErrors(bodyText: string): DistributionError[] {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return [];
  }
  if (!isRecord(body) || !Array.isArray(body['errors'])) return [];
  const parsed: DistributionError[] = [];
  // A hostile registry could send thousands of entries; a handful is all a message needs.
  for (const entry of body['errors'].slice(0, MAX_DISTRIBUTION_ERRORS)) {
    if (!isRecord(entry) || typeof entry['code'] !== 'string' || entry['code'] === '') continue;
    const code = entry['code'].slice(0, MAX_CODE_LENGTH).toUpperCase();
    const message = typeof entry['message'] === 'string' ? entry['message'].slice(0, MAX_MESSAGE_LENGTH) : '';
    const error: DistributionError = { code, message };
    if (entry['detail'] !== undefined) error.detail = entry['detail'];
    parsed.push(error);
  }
  return parsed;
}

const MAX_DISTRIBUTION_ERRORS = 10;
const MAX_CODE_LENGTH = 64;
const MAX_MESSAGE_LENGTH = 500;

export type HeadersLike = Headers | Record<string, string | string[] | number | undefined>;

export interface ResponseErrorInput {
  status: number;
  headers?: HeadersLike;
  bodyText?: string;
  registry: string;
  image?: string;
  /** Whether credentials were sent: a 401 then means they were rejected, not missing. */
  authenticated?: boolean;
  /** Clock for HTTP-date Retry-After values (milliseconds since the epoch); defaults to Date.now(). */
  now?: number;
}

/** Maps a failed registry response to a RegistryError with an actionable message. */
export function registryErrorFromResponse(input: ResponseErrorInput): RegistryError {
  const { status, registry, image } = input;
  const errors = parseDistributionErrors(input.bodyText ?? '');
  const distCodes = new Set(errors.map((e) => e.code));
  const retryAfterRaw = input.headers === undefined ? undefined : headerValue(input.headers, 'retry-after');
  const retryAfterMs =
    retryAfterRaw === undefined ? undefined : parseRetryAfter(retryAfterRaw, input.now ?? Date.now());
  const common = { registry, status, errors, retryAfterMs, ...(image === undefined ? {} : { image }) };

  // Docker Hub has answered rate limits with other statuses than 429; the code in the body decides.
  if (status === 429 || distCodes.has('TOOMANYREQUESTS')) {
    return new RegistryError({
      ...common,
      code: 'TOO_MANY_REQUESTS',
      what: `rate limited by registry ${registry}: retry later, or add credentials to raise the limit`,
    });
  }
  if (status === 401) {
    return new RegistryError({
      ...common,
      code: 'UNAUTHORIZED',
      what: input.authenticated
        ? `credentials rejected: check the pull secret / docker config for ${registry}`
        : // Registries (Docker Hub among them) answer 401 for repositories that do not exist, too.
          `authentication required (or the repository does not exist): add a pull secret / docker config for ${registry}`,
    });
  }
  if (status === 403) {
    return new RegistryError({
      ...common,
      code: 'DENIED',
      what: `access denied: the credentials for ${registry} do not grant pull access to this repository`,
    });
  }
  if (status === 404) {
    return new RegistryError({ ...common, code: 'NOT_FOUND', what: notFoundWhat(distCodes, registry) });
  }
  if (status === 408) {
    return new RegistryError({ ...common, code: 'TIMEOUT', what: `registry ${registry} timed out the request: retry later` });
  }
  if (status >= 500 && status <= 599) {
    return new RegistryError({
      ...common,
      code: 'SERVER_ERROR',
      what: `registry ${registry} failed with a server error: retry later`,
    });
  }
  return new RegistryError({
    ...common,
    code: 'BAD_RESPONSE',
    what: `unexpected response from registry ${registry}`,
  });
}

function notFoundWhat(distCodes: ReadonlySet<string>, registry: string): string {
  if (distCodes.has('MANIFEST_UNKNOWN')) return `manifest unknown: check the tag exists in registry ${registry}`;
  if (distCodes.has('NAME_UNKNOWN')) return `repository unknown: check the image name in registry ${registry}`;
  if (distCodes.has('BLOB_UNKNOWN')) {
    return `blob unknown: registry ${registry} lacks a blob the manifest refers to; push the image again`;
  }
  return `not found: check the image name and tag exist in registry ${registry}`;
}

/**
 * `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns undefined for
 * anything else, so a garbage header never turns into a zero or negative wait.
 */
export function parseRetryAfter(value: string, now: number = Date.now()): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    const seconds = Number(text);
    return Number.isSafeInteger(seconds * 1000) ? seconds * 1000 : undefined;
  }
  // Only accept something shaped like a date: Date.parse alone accepts "1" or "2024".
  if (!/[a-z]/i.test(text) || !/\d{1,2}:\d{2}:\d{2}/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

function headerValue(headers: HeadersLike, name: string): string | undefined {
  if (!isPlainObject(headers) && typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== name) continue;
    if (Array.isArray(value)) return value.length > 0 ? String(value[0]) : undefined;
    if (value === undefined) return undefined;
    return String(value);
  }
  return undefined;
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
