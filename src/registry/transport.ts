import type { Authenticator } from './authenticator.js';
import { RegistryError, registryErrorFromResponse } from './errors.js';
import type { HostPolicy } from './host-policy.js';
import type { HttpSender, SendResponse } from './http-sender.js';
import { anonymousKeychain, type Credential, type Keychain } from './keychain.js';
import { MAX_REDIRECTS } from './limits.js';
import { registryApiHost } from './registry-host.js';
import { DEFAULT_RETRY, retryDelay, sleepWithSignal, type RetryOptions } from './retry.js';
import { repositoryScope } from './challenge.js';

export interface RegistryRequest {
  /** Normalized registry host[:port] ("docker.io", "ghcr.io", "127.0.0.1:5000"). */
  registry: string;
  repository: string;
  /** The image as the user wrote it, for messages. */
  image?: string;
  /** Path below the registry origin, e.g. `/v2/library/nginx/manifests/1.27`. */
  path: string;
  method: 'GET' | 'HEAD';
  accept?: string;
  maxBytes: number;
  /** For messages: "manifest nginx:1.27", "config sha256:…". */
  what: string;
  signal: AbortSignal;
  /** Epoch ms after which no retry is started; defaults to none (the signal still applies). */
  deadline?: number;
  /** Credentials for this request only (pull secrets), tried before the transport's own. */
  keychain?: Keychain;
}

/** Registry access with everything a bare HTTP exchange lacks: auth, retries, redirects, policy. */
export interface Transport {
  /** Returns only 2xx answers; everything else is a RegistryError. */
  fetch(request: RegistryRequest): Promise<SendResponse>;
}

/** One finished registry call (retries included), for metrics. Never carries a credential. */
export interface RegistryCallEvent {
  registry: string;
  durationSeconds: number;
  /** The RegistryError (or other failure) the call ended with; absent on success. */
  error?: unknown;
}

export interface TransportOptions {
  sender: HttpSender;
  authenticator: Authenticator;
  hostPolicy: HostPolicy;
  keychain?: Keychain;
  retry?: RetryOptions;
  onCall?: (event: RegistryCallEvent) => void;
}

export function createTransport(options: TransportOptions): Transport {
  const retry = options.retry ?? DEFAULT_RETRY;
  const baseKeychain = options.keychain ?? anonymousKeychain;

  async function credentialFor(req: RegistryRequest): Promise<Credential | undefined> {
    return (await req.keychain?.resolve(req.registry)) ?? (await baseKeychain.resolve(req.registry));
  }

  return {
    async fetch(req) {
      if (!options.onCall) return fetchOnce(req);
      const started = performance.now();
      try {
        const response = await fetchOnce(req);
        options.onCall({ registry: req.registry, durationSeconds: (performance.now() - started) / 1000 });
        return response;
      } catch (error) {
        options.onCall({ registry: req.registry, durationSeconds: (performance.now() - started) / 1000, error });
        throw error;
      }
    },
  };

  async function fetchOnce(req: RegistryRequest): Promise<SendResponse> {
    options.hostPolicy.check(req.registry);
    const insecure = options.hostPolicy.isInsecure(req.registry);
    const origin = `${options.hostPolicy.scheme(req.registry)}://${registryApiHost(req.registry)}`;
    const credential = await credentialFor(req);
    const auth = {
      registry: req.registry,
      image: req.image,
      scope: repositoryScope(req.repository),
      credential,
      insecure,
      signal: req.signal,
    };

    let attempt = 1;
    let challenged = false;
    for (;;) {
      let response: SendResponse;
      let authorization: string | undefined;
      try {
        authorization = await options.authenticator.authorize(auth);
        response = await sendFollowingRedirects(options.sender, req, new URL(req.path, origin), authorization);
      } catch (error) {
        const delay = isRetryable(error) ? retryDelay(retry, attempt, undefined, req.deadline) : undefined;
        if (delay === undefined) throw error;
        await sleepUntilRetry(delay, req);
        attempt += 1;
        continue;
      }

      if (response.status >= 200 && response.status < 300) return response;

      if (response.status === 401 && !challenged) {
        // First 401 of this call: learn the scheme (or renew a token) and retry at once.
        challenged = true;
        await options.authenticator.answerChallenge(auth, header(response, 'www-authenticate'));
        continue;
      }
      if (response.status === 401) options.authenticator.forget(auth);

      const error = registryErrorFromResponse({
        status: response.status,
        headers: response.headers,
        bodyText: Buffer.from(response.body).toString('utf8'),
        registry: req.registry,
        image: req.image,
        authenticated: authorization !== undefined,
      });
      const delay = error.temporary ? retryDelay(retry, attempt, error.retryAfterMs, req.deadline) : undefined;
      if (delay === undefined) throw error;
      await sleepUntilRetry(delay, req);
      attempt += 1;
    }
  }
}

/**
 * Sends one request, following redirects by hand: each hop passes the SSRF guard in the
 * sender, never downgrades HTTPS to HTTP, and carries the Authorization header only while
 * it stays on the registry's own origin (blob storage redirects use signed URLs instead).
 */
async function sendFollowingRedirects(
  sender: HttpSender,
  req: RegistryRequest,
  firstUrl: URL,
  authorization: string | undefined,
): Promise<SendResponse> {
  let url = firstUrl;
  for (let hop = 0; ; hop += 1) {
    const headers: Record<string, string> = {};
    if (req.accept) headers.accept = req.accept;
    if (authorization && url.origin === firstUrl.origin) headers.authorization = authorization;
    const response = await sender.send({
      url,
      method: req.method,
      headers,
      signal: req.signal,
      maxBytes: req.maxBytes,
      registry: req.registry,
      image: req.image,
      what: req.what,
    });
    const location = header(response, 'location');
    if (![301, 302, 303, 307, 308].includes(response.status) || !location) return response;
    if (hop >= MAX_REDIRECTS) {
      throw new RegistryError({
        code: 'REDIRECT',
        status: response.status,
        registry: req.registry,
        image: req.image,
        temporary: false,
        what: `${req.what}: more than ${MAX_REDIRECTS} redirects`,
      });
    }
    const next = new URL(location, url);
    if (next.protocol !== 'https:' && !(next.protocol === 'http:' && url.protocol === 'http:')) {
      throw new RegistryError({
        code: 'REDIRECT',
        status: response.status,
        registry: req.registry,
        image: req.image,
        temporary: false,
        what: `${req.what}: refusing redirect from ${url.protocol}//${url.host} to ${next.protocol}//${next.host}`,
      });
    }
    url = next;
  }
}

/** Waits before a retry; the deadline passing meanwhile is a TIMEOUT like any other. */
async function sleepUntilRetry(delay: number, req: RegistryRequest): Promise<void> {
  try {
    await sleepWithSignal(delay, req.signal);
  } catch (error) {
    throw new RegistryError({
      code: 'TIMEOUT',
      registry: req.registry,
      image: req.image,
      what: `${req.what}: the deadline passed while waiting to retry`,
      cause: error,
    });
  }
}

function header(response: SendResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isRetryable(error: unknown): boolean {
  return error instanceof RegistryError && error.temporary && error.code !== 'TIMEOUT';
}
