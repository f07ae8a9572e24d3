import { Agent, request, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { readCappedBody } from './capped-body.js';
import { RegistryError } from './errors.js';
import type { SsrfGuard } from './ssrf-guard.js';

export interface SendRequest {
  url: URL;
  method: 'GET' | 'HEAD' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Cap on the body read into memory. */
  maxBytes: number;
  /** For messages: the registry the request is for, the image, and what is fetched. */
  registry: string;
  image?: string;
  what: string;
}

export interface SendResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
}

/** One HTTP exchange, no retries, no redirects: the layer that talks to the network. */
export interface HttpSender {
  send(request: SendRequest): Promise<SendResponse>;
  close(): Promise<void>;
}

export interface HttpSenderOptions {
  ssrfGuard: SsrfGuard;
  /** Keep-alive connections per origin; registries are few, requests to each are many. */
  connectionsPerOrigin?: number;
  userAgent?: string;
  /** Tests may inject a dispatcher; production builds one whose DNS lookups pass the SSRF guard. */
  dispatcher?: Dispatcher;
}

export function createHttpSender(options: HttpSenderOptions): HttpSender {
  const { ssrfGuard } = options;
  const userAgent = options.userAgent ?? 'slimguard';
  // The guard's lookup runs at connect time, so a name that resolves to a metadata or
  // private address is refused even when DNS answers differently than it did before
  // (DNS rebinding). IP-literal hosts never reach lookup, so send() checks them itself.
  const dispatcher =
    options.dispatcher ??
    new Agent({
      connections: options.connectionsPerOrigin ?? 16,
      keepAliveTimeout: 30_000,
      connect: { lookup: ssrfGuard.lookup, timeout: 10_000 },
    });

  return {
    async send(req) {
      ssrfGuard.checkUrl(req.url);
      let response: Dispatcher.ResponseData;
      try {
        response = await request(req.url, {
          method: req.method,
          headers: { 'user-agent': userAgent, ...req.headers },
          body: req.body,
          signal: req.signal,
          dispatcher,
        });
      } catch (error) {
        throw networkError(error, req);
      }
      const lengthHeader = response.headers['content-length'];
      const contentLength = typeof lengthHeader === 'string' && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
      if (req.method === 'HEAD') {
        await response.body.dump();
        return { status: response.statusCode, headers: response.headers, body: new Uint8Array() };
      }
      try {
        const body = await readCappedBody(response.body, {
          registry: req.registry,
          image: req.image,
          what: req.what,
          maxBytes: req.maxBytes,
          contentLength,
        });
        return { status: response.statusCode, headers: response.headers, body };
      } catch (error) {
        if (error instanceof RegistryError) throw error;
        throw networkError(error, req);
      }
    },
    async close() {
      if (!options.dispatcher) await dispatcher.close();
    },
  };
}

/** Maps undici/socket failures to a RegistryError that says what happened, not how. */
function networkError(error: unknown, req: SendRequest): RegistryError {
  // The SSRF guard refuses inside DNS lookup; undici hands its error back as the cause.
  const refusal = error instanceof RegistryError ? error : (error as { cause?: unknown } | undefined)?.cause;
  if (refusal instanceof RegistryError) return refusal;
  if (req.signal.aborted) {
    return new RegistryError({
      code: 'TIMEOUT',
      registry: req.registry,
      image: req.image,
      temporary: true,
      what: `${req.what}: no answer from ${req.url.host} before the deadline`,
      cause: error,
    });
  }
  const code = (error as { code?: string } | undefined)?.code ?? 'unknown';
  return new RegistryError({
    code: 'NETWORK',
    registry: req.registry,
    image: req.image,
    temporary: true,
    what: `${req.what}: cannot reach ${req.url.host} (${code})`,
    cause: error,
  });
}
