import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { SecureContextOptions } from 'node:tls';
import express from 'express';
import { pino, type Logger } from 'pino';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { clientErrorStatus, HttpError } from './errors.js';
import { reviewBudget, timeoutQueryParam } from './parse-timeout.js';
import { DEFAULT_MAX_BODY_BYTES, isJsonContentType, readJsonBodyThen } from './read-json-body.js';
import { sendStatus, sendText } from './status-body.js';
import { createWriteCoalescer } from './write-coalescer.js';
import { createTlsReloader, type TlsFiles, type TlsMaterial, type TlsReloadStats } from './tls-reloader.js';

/** What the review handler gets besides the decoded JSON. */
export interface ReviewContext {
  /**
   * Epoch milliseconds by which the answer must have been sent: request start + the API server's
   * `?timeout=` - a safety margin.
   */
  deadline: number;
  /** Aborts at the deadline, when the client closes the connection, or when shutdown gives up waiting. */
  signal: AbortSignal;
  /**
   * A fresh id for log correlation (the API server sends none; the review's uid is in the body),
   * UUID-shaped and unique per process, see createRequestIds().
   */
  requestId: string;
  /** The timeout the API server announced (after defaulting and clamping), in milliseconds. */
  timeoutMs: number;
}

/**
 * Turns a decoded AdmissionReview into the AdmissionReview to answer with 200: returned as is when
 * it is known at once (the warm path), or as a promise.
 *
 * Contract: the handler MUST settle before `context.deadline`, typically by racing its own
 * fallback answer (allow or deny per failurePolicy-like settings) against the real work. The
 * server never answers on its own when the deadline passes: only the handler knows which
 * fallback answer is right, and a second answer racing the first would be a bug. `signal` aborts
 * at the deadline so outstanding work (registry requests) can stop.
 *
 * For a request it cannot decode it throws an error with a numeric 4xx `statusCode` (HttpError,
 * or any error shaped like one); its message is sent back. Any other failure becomes a 500 with a
 * generic message, and the error is logged.
 */
export type ReviewHandler = (review: unknown, context: ReviewContext) => unknown;

export interface Readiness {
  ready: boolean;
  /** Why not ready, one short phrase each ("policy not loaded"); empty when ready. */
  reasons: string[];
}

export interface ReviewDoneEvent {
  durationSeconds: number;
  /**
   * The status sent; 499 (nginx's "client closed request") when the client went away before the
   * body was read, so nothing could be answered.
   */
  statusCode: number;
  /** The handler settled after its deadline (the API server may already have given up). */
  deadlineExceeded: boolean;
}

export interface WebhookServerOptions {
  handleReview: ReviewHandler;
  tls: TlsFiles & {
    /** See TlsReloaderOptions.debounceMs. Default 250 ms. */
    debounceMs?: number;
    /** See TlsReloaderOptions.pollIntervalMs. Default 30 s. */
    pollIntervalMs?: number;
  };
  /**
   * Port 0 picks a free port; read it with address() after start(). `reusePort` (Linux) lets
   * several processes listen on the same address, the kernel spreading connections over them.
   */
  listen: { host: string; port: number; reusePort?: boolean };
  /** Default 3 MiB (the API server's own request limit). */
  maxBodyBytes?: number;
  /** Kept back from the API server's timeout for the way back. Default 1000 ms; never more than half the timeout. */
  deadlineMarginMs?: number;
  /** Reviews in flight before answering 429. Default 256. */
  maxConcurrent?: number;
  /** Readiness besides TLS and shutdown (policy loaded, ...). Default: always ready. */
  isReady?: () => Readiness;
  onReviewDone?: (event: ReviewDoneEvent) => void;
  /** After each attempt to install changed TLS files: true installed, false refused (old pair kept). */
  onTlsReload?: (ok: boolean) => void;
  /** Default: a silent logger. One line per non-200 answer; request bodies are never logged. */
  logger?: Logger;
  /**
   * How long an idle keep-alive connection stays open. Default 120 s: longer than the 90 s idle
   * timeout of the API server's Go client, so the client, not the server, closes idle
   * connections. If the server closed first, a review sent at that moment would fail: Go does not
   * retry a POST on a reused connection, and the API server would apply the failurePolicy.
   */
  keepAliveTimeoutMs?: number;
}

export interface ShutdownOptions {
  /** How long in-flight reviews may take to finish. Default 10 s. */
  graceMs?: number;
  /**
   * Keep accepting new connections (readiness already 503) this long before closing the listener,
   * so Service endpoint removal can reach every API server first. Default 0.
   */
  delayCloseMs?: number;
}

export interface ShutdownResult {
  /** Every in-flight review finished within the grace period. */
  drained: boolean;
  /** Reviews still running when the grace period ended (their signals were aborted). */
  abandonedReviews: number;
}

export interface WebhookServer {
  /** Reads the TLS files (throws TlsLoadError), listens, and starts watching the files. */
  start(): Promise<void>;
  /** Where the server listens; only after start(). */
  address(): { host: string; port: number };
  /** True once a certificate is being served. */
  tlsLoaded(): boolean;
  /** The certificate being served (serial, validity), once loaded. */
  tlsCertificate(): Omit<TlsMaterial, 'key' | 'cert' | 'fingerprint'> | undefined;
  tlsReloadStats(): TlsReloadStats;
  /** Re-reads the TLS files now, as a file event would. */
  reloadTls(): Promise<'installed' | 'refused' | 'unchanged'>;
  /** Reviews being handled now. */
  inFlight(): number;
  /** What /readyz reports. */
  readiness(): Readiness;
  /** Graceful stop; calling it again returns the same promise. */
  shutdown(options?: ShutdownOptions): Promise<ShutdownResult>;
}

const TLS_OPTIONS: SecureContextOptions = { minVersion: 'TLSv1.2' };
/** admissionregistration/v1 caps timeoutSeconds at 30 and defaults it to 10. */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 30_000;

export function createWebhookServer(options: WebhookServerOptions): WebhookServer {
  const { handleReview, onReviewDone } = options;
  const logger = options.logger ?? pino({ enabled: false });
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const deadlineMarginMs = options.deadlineMarginMs ?? 1000;
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? 120_000;
  const isReady = options.isReady ?? (() => ({ ready: true, reasons: [] }));
  const limit = createConcurrencyLimit({ max: options.maxConcurrent ?? 256 });
  const nextRequestId = createRequestIds();
  const budgetOf = createBudgetCache(deadlineMarginMs);
  const deferWrite = createWriteCoalescer((error) => logger.error({ err: error }, 'writing an answer failed'));
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new HttpError(500, 'INVALID_OPTION', `maxBodyBytes must be a positive integer, got ${String(maxBodyBytes)}`);
  }

  let server: Server | undefined;
  let shuttingDown = false;
  let shutdownPromise: Promise<ShutdownResult> | undefined;
  /** Abort controllers of the reviews in flight, aborted if shutdown stops waiting for them. */
  const inFlightControllers = new Set<AbortController>();
  /** Shutdown stopped waiting: a signal a review asks for from now on is aborted at once. */
  let abandoning = false;

  const reloader = createTlsReloader({
    certFile: options.tls.certFile,
    keyFile: options.tls.keyFile,
    contextOptions: TLS_OPTIONS,
    logger,
    apply: (material) => server?.setSecureContext({ ...TLS_OPTIONS, cert: material.cert, key: material.key }),
    ...(options.onTlsReload === undefined ? {} : { onReload: options.onTlsReload }),
    ...(options.tls.debounceMs === undefined ? {} : { debounceMs: options.tls.debounceMs }),
    ...(options.tls.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.tls.pollIntervalMs }),
  });

  function readiness(): Readiness {
    const reasons: string[] = [];
    if (shuttingDown) reasons.push('shutting down');
    if (reloader.current() === undefined) reasons.push('TLS certificate not loaded');
    let own: Readiness;
    try {
      own = isReady();
    } catch (error) {
      logger.error({ err: error }, 'readiness check failed');
      own = { ready: false, reasons: ['readiness check failed'] };
    }
    if (!own.ready) reasons.push(...(own.reasons.length > 0 ? own.reasons : ['not ready']));
    return { ready: reasons.length === 0, reasons };
  }

  /** While shutting down every answer asks the client to reconnect, which reaches another replica. */
  function connectionHeaders(): Record<string, string> {
    return shuttingDown ? { Connection: 'close' } : {};
  }

  function reportDone(startedAt: number, statusCode: number, deadlineExceeded: boolean) {
    if (onReviewDone === undefined) return;
    try {
      onReviewDone({ durationSeconds: (performance.now() - startedAt) / 1000, statusCode, deadlineExceeded });
    } catch (error) {
      logger.error({ err: error }, 'onReviewDone hook failed');
    }
  }

  /**
   * POST /validate: the warm path. Plain Node request/response calls only, and nothing per request
   * that is not needed: no promise unless the handler returns one, and the abort signal (its
   * AbortController, deadline timer and 'close' listener) only once the handler reads it, which a
   * review answered from memory never does.
   */
  function validate(request: IncomingMessage, response: ServerResponse): void {
    const startedAt = performance.now();
    const startedAtEpoch = Date.now();
    const requestId = nextRequestId();

    if (!limit.tryAcquire()) {
      // No queue: the API server treats any non-200 as a failed call and applies the webhook's
      // failurePolicy at once (Ignore admits, Fail rejects), which beats waiting out its timeout.
      // Retry-After is informative; the API server itself does not retry a webhook call.
      logger.warn({ requestId, statusCode: 429, maxConcurrent: limit.max }, 'review refused: too many in flight');
      sendStatus(response, 429, `too many reviews in flight (limit ${limit.max})`, {
        'Retry-After': '1',
        ...connectionHeaders(),
      });
      reportDone(startedAt, 429, false);
      return;
    }

    let controller: AbortController | undefined;
    let deadlineTimer: NodeJS.Timeout | undefined;
    let deadline = 0;
    let budgetMs = 0;
    let timeoutMs = 0;
    const onClose = () => {
      if (!response.writableFinished) controller?.abort(new HttpError(499, 'CLIENT_CLOSED', 'client closed the connection'));
    };
    const signal = (): AbortSignal => {
      if (controller !== undefined) return controller.signal;
      // Read after the answer went out: nothing is left to abort, as with a signal read earlier.
      if (finished) return new AbortController().signal;
      const created = new AbortController();
      controller = created;
      inFlightControllers.add(created);
      if (abandoning) created.abort(new Error('server shutting down'));
      else if (response.destroyed) onClose();
      else {
        response.once('close', onClose);
        deadlineTimer = setTimeout(() => {
          const reason = new Error(`review deadline of ${budgetMs} ms passed`);
          reason.name = 'TimeoutError';
          created.abort(reason);
        }, Math.max(0, deadline - Date.now()));
        deadlineTimer.unref();
      }
      return created.signal;
    };
    let finished = false;
    const finish = (statusCode: number, deadlineExceeded: boolean) => {
      if (finished) return;
      finished = true;
      if (controller !== undefined) {
        if (deadlineTimer !== undefined) clearTimeout(deadlineTimer);
        response.off('close', onClose);
        inFlightControllers.delete(controller);
      }
      limit.release();
      reportDone(startedAt, statusCode, deadlineExceeded);
    };
    const fail = (error: unknown) => finish(answerError(error, response, requestId, startedAt), false);
    const send = (answer: unknown) => {
      let body: string | undefined;
      try {
        body = JSON.stringify(answer);
        if (body === undefined) throw new Error('review handler returned nothing to send');
      } catch (error) {
        fail(error);
        return;
      }
      const json = body;
      deferWrite(() => {
        try {
          writeAnswer(json);
        } catch (error) {
          fail(error);
        }
      });
    };
    const writeAnswer = (body: string) => {
      const deadlineExceeded = Date.now() > deadline;
      if (deadlineExceeded) {
        logger.warn({ requestId, timeoutMs, lateByMs: Date.now() - deadline }, 'review handler answered after its deadline');
      }
      let statusCode = 200;
      if (response.destroyed) {
        statusCode = 499;
        logger.info({ requestId }, 'client went away before the answer was sent');
      } else {
        response.writeHead(
          200,
          shuttingDown
            ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' }
            : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) },
        );
        response.end(body);
      }
      finish(statusCode, deadlineExceeded);
    };

    if (!isJsonContentType(request.headers['content-type'])) {
      fail(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'));
      return;
    }
    readJsonBodyThen(request, maxBodyBytes, (bodyError, review) => {
      if (bodyError !== undefined) {
        fail(bodyError);
        return;
      }
      const budget = budgetOf(request.url ?? '');
      budgetMs = budget.budgetMs;
      timeoutMs = budget.timeoutMs;
      deadline = startedAtEpoch + budgetMs;
      const context = new LazySignalContext(deadline, requestId, timeoutMs, signal);
      let answer: unknown;
      try {
        answer = handleReview(review, context);
      } catch (error) {
        fail(error);
        return;
      }
      if (isPromiseLike(answer)) answer.then(send, fail);
      else send(answer);
    });
  }

  /** Sends the non-200 answer for an error and logs one line; returns the status. */
  function answerError(error: unknown, response: ServerResponse, requestId: string, startedAt: number): number {
    const durationMs = Math.round(performance.now() - startedAt);
    const clientStatus = clientErrorStatus(error);
    if (clientStatus === undefined) {
      logger.error({ err: error, requestId, statusCode: 500, durationMs }, 'review failed inside the server');
      sendStatus(response, 500, 'internal error while reviewing the request', connectionHeaders());
      return 500;
    }
    const message = error instanceof Error ? error.message : 'bad request';
    const code = (error as { code?: unknown }).code;
    if (code === 'CLIENT_CLOSED') {
      logger.info({ requestId, durationMs, reason: message }, 'client went away during the review');
      return clientStatus;
    }
    logger.warn({ requestId, statusCode: clientStatus, code, durationMs, reason: message }, 'review refused');
    // After a 413 the rest of the body is still on the wire: close rather than read it to stay in sync.
    const headers: Record<string, string> = clientStatus === 413 ? { Connection: 'close' } : connectionHeaders();
    sendStatus(response, clientStatus, message, headers);
    return clientStatus;
  }

  function methodNotAllowed(allow: string) {
    return (request: IncomingMessage, response: ServerResponse) => {
      logger.warn({ statusCode: 405, method: request.method, path: request.url }, 'method not allowed');
      sendStatus(response, 405, `method ${request.method ?? ''} not allowed; use ${allow}`, {
        Allow: allow,
        ...connectionHeaders(),
      });
    };
  }

  // express routes everything except the warm path; bodies are read by readJsonBody and answers
  // written with plain Node calls. ETags would hash every answer for nothing.
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.post('/validate', (request, response) => {
    void validate(request, response);
  });
  app.all('/validate', methodNotAllowed('POST'));
  app.get('/healthz', (_request, response) => {
    // Liveness: the event loop answers. Nothing else, so a slow registry never gets the pod killed.
    sendText(response, 200, 'ok\n', connectionHeaders());
  });
  app.all('/healthz', methodNotAllowed('GET, HEAD'));
  app.get('/readyz', (_request, response) => {
    const state = readiness();
    if (state.ready) sendText(response, 200, 'ok\n', connectionHeaders());
    else sendText(response, 503, `not ready: ${state.reasons.join('; ')}\n`, connectionHeaders());
  });
  app.all('/readyz', methodNotAllowed('GET, HEAD'));
  app.use((request: IncomingMessage, response: ServerResponse) => {
    logger.warn({ statusCode: 404, method: request.method, path: request.url }, 'no such path');
    sendStatus(response, 404, 'not found; the webhook path is /validate', connectionHeaders());
  });
  app.use((error: unknown, _request: IncomingMessage, response: ServerResponse, _next: () => void) => {
    logger.error({ err: error }, 'request failed inside the server');
    sendStatus(response, 500, 'internal error', connectionHeaders());
  });

  return {
    async start() {
      if (server !== undefined) throw new HttpError(500, 'INVALID_OPTION', 'webhook server already started');
      const material = await reloader.load();
      const created = createServer({ ...TLS_OPTIONS, cert: material.cert, key: material.key, handshakeTimeout: 10_000 }, (request, response) => {
        // `POST /validate` skips express: measured on a 3 KB review, express's per-request setup
        // (prototype swaps, router walk) cost ~7 us of ~45 us of server CPU per review, which
        // alone put the warm path below 0.7x a bare Node HTTPS server. Every other path, and
        // /validate with another method, goes through the express routes above.
        if (request.method === 'POST' && isValidateTarget(request.url)) void validate(request, response);
        else app(request, response);
      });
      created.keepAliveTimeout = keepAliveTimeoutMs;
      // Bounds slow senders: headers within 10 s, the whole request within the longest review timeout.
      created.headersTimeout = 10_000;
      created.requestTimeout = MAX_TIMEOUT_MS + 5_000;
      created.on('tlsClientError', (error) => {
        // Port scanners, TLS 1.0/1.1 clients, clients that do not trust the CA: not our failure.
        logger.debug({ err: error }, 'TLS handshake failed');
      });
      server = created;
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        created.once('error', onError);
        created.listen({ port: options.listen.port, host: options.listen.host, reusePort: options.listen.reusePort ?? false }, () => {
          created.off('error', onError);
          resolve();
        });
      });
      created.on('error', (error) => logger.error({ err: error }, 'webhook server error'));
      reloader.start();
      logger.info({ address: this.address() }, 'webhook server listening');
    },

    address() {
      const info = server?.address() as AddressInfo | null | undefined;
      if (info === null || info === undefined) throw new HttpError(500, 'INVALID_OPTION', 'webhook server is not listening');
      return { host: info.address, port: info.port };
    },

    tlsLoaded: () => reloader.current() !== undefined,
    tlsCertificate() {
      const material = reloader.current();
      if (material === undefined) return undefined;
      const { serialNumber, validFrom, validTo, subject } = material;
      return { serialNumber, validFrom, validTo, subject };
    },
    tlsReloadStats: () => reloader.stats(),
    reloadTls: () => reloader.reload(),
    inFlight: () => limit.inFlight(),
    readiness,

    shutdown(shutdownOptions: ShutdownOptions = {}) {
      shutdownPromise ??= (async (): Promise<ShutdownResult> => {
        const graceMs = shutdownOptions.graceMs ?? 10_000;
        shuttingDown = true;
        const running = server;
        if (running === undefined || !running.listening) {
          reloader.stop();
          return { drained: true, abandonedReviews: 0 };
        }
        logger.info({ graceMs, inFlight: limit.inFlight() }, 'shutting down');
        if ((shutdownOptions.delayCloseMs ?? 0) > 0) await sleep(shutdownOptions.delayCloseMs ?? 0);

        // Refuses new connections; Node also closes the idle keep-alive ones. Requests arriving on
        // connections still open are served, answered with `Connection: close`.
        const closed = new Promise<void>((resolve) => running.close(() => resolve()));
        const graceEnds = Date.now() + graceMs;
        const drained = await Promise.race([limit.whenIdle().then(() => true), sleep(graceMs).then(() => false)]);
        const abandonedReviews = drained ? 0 : limit.inFlight();
        if (!drained) {
          logger.warn({ abandonedReviews }, 'grace period over; abandoning reviews in flight');
          abandoning = true;
          for (const controller of inFlightControllers) controller.abort(new Error('server shutting down'));
        }
        running.closeIdleConnections();
        // Answers just written are still flushing on connections that now close by themselves.
        await Promise.race([closed, sleep(Math.max(0, graceEnds - Date.now()))]);
        running.closeAllConnections();
        // A socket still in its TLS handshake is not an HTTP connection yet and closeAllConnections
        // cannot reach it; it ends with handshakeTimeout. Do not hold the shutdown for it.
        await Promise.race([closed, sleep(1000)]);
        reloader.stop();
        logger.info({ drained, abandonedReviews }, 'webhook server stopped');
        return { drained, abandonedReviews };
      })();
      return shutdownPromise;
    },
  };
}

/**
 * A ReviewContext whose signal is made on first read. A class, not an object literal with a
 * getter: each literal's getter is a new closure, which gives every request its own hidden class
 * (kept in old space until a full GC); measured with --trace-gc under wrk, ~5 MB promoted per
 * young-generation GC, 20-50 ms pauses and a 3x worse p99.
 */
class LazySignalContext implements ReviewContext {
  constructor(
    readonly deadline: number,
    readonly requestId: string,
    readonly timeoutMs: number,
    private readonly makeSignal: () => AbortSignal,
  ) {}

  get signal(): AbortSignal {
    return this.makeSignal();
  }
}

/**
 * Request ids: a random UUID drawn once per process whose last 48 bits count up per request.
 * Unique within the process (2^48 requests) and, by the random part, across processes, which
 * is all log correlation needs, without drawing random bytes for every review.
 */
function createRequestIds(): () => string {
  const prefix = randomUUID().slice(0, 24);
  const start = Number.parseInt(randomUUID().slice(24, 36), 16);
  let count = 0;
  return () => {
    count += 1;
    return prefix + ((start + count) % 2 ** 48).toString(16).padStart(12, '0');
  };
}

/**
 * The review budget of a request target. The API server sends the same `?timeout=` on every call
 * of a webhook, so the last target's budget is kept: parsing the query string is then skipped.
 */
function createBudgetCache(deadlineMarginMs: number): (target: string) => { timeoutMs: number; budgetMs: number } {
  let lastTarget: string | undefined;
  let lastBudget = { timeoutMs: 0, budgetMs: 0 };
  return (target) => {
    if (target !== lastTarget) {
      lastBudget = reviewBudget({
        timeoutParam: timeoutQueryParam(target),
        deadlineMarginMs,
        defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
        maxTimeoutMs: MAX_TIMEOUT_MS,
      });
      lastTarget = target;
    }
    return lastBudget;
  };
}

/** `/validate` or `/validate?...`, exactly as the webhook's clientConfig.service.path sends it. */
function isValidateTarget(target: string | undefined): boolean {
  return target === '/validate' || (target !== undefined && target.startsWith('/validate?'));
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
