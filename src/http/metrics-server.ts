import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { HttpError } from './errors.js';
import { sendText } from './status-body.js';

/** prom-client's Registry has this shape (`registry.contentType`, `registry.metrics()`). */
export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

export type MetricsRequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export interface MetricsServerOptions {
  /** Port 0 picks a free port; read it with address() after start(). */
  listen: { host: string; port: number };
  /** Either a full request handler for GET /metrics, or a source whose text is served. */
  handler: MetricsRequestHandler | MetricsSource;
  logger?: Logger;
}

export interface MetricsServer {
  start(): Promise<void>;
  address(): { host: string; port: number };
  /** Stops listening and closes every connection (a scrape in progress is cut). */
  close(): Promise<void>;
}

/**
 * `GET /metrics` over plain HTTP on its own port. It is separate from the webhook port so the
 * scrape needs no TLS client setup, and so a NetworkPolicy can open it to Prometheus only.
 */
export function createMetricsServer(options: MetricsServerOptions): MetricsServer {
  const logger = options.logger ?? pino({ enabled: false });
  const { handler } = options;
  let server: Server | undefined;

  async function serveSource(source: MetricsSource, response: ServerResponse) {
    try {
      const text = await source.metrics();
      if (response.destroyed) return;
      response.writeHead(200, {
        'Content-Type': source.contentType,
        'Content-Length': String(Buffer.byteLength(text)),
        'Cache-Control': 'no-store',
      });
      response.end(text);
    } catch (error) {
      logger.error({ err: error }, 'collecting metrics failed');
      sendText(response, 500, 'collecting metrics failed\n');
    }
  }

  function onRequest(request: IncomingMessage, response: ServerResponse) {
    const path = (request.url ?? '/').split('?', 1)[0];
    if (path !== '/metrics') {
      sendText(response, 404, 'not found; metrics are at /metrics\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendText(response, 405, 'method not allowed; use GET\n', { Allow: 'GET, HEAD' });
      return;
    }
    if (typeof handler === 'function') {
      try {
        handler(request, response);
      } catch (error) {
        logger.error({ err: error }, 'metrics handler failed');
        sendText(response, 500, 'collecting metrics failed\n');
      }
      return;
    }
    void serveSource(handler, response);
  }

  return {
    async start() {
      if (server !== undefined) throw new HttpError(500, 'INVALID_OPTION', 'metrics server already started');
      const created = createServer(onRequest);
      created.headersTimeout = 10_000;
      created.requestTimeout = 30_000;
      server = created;
      await new Promise<void>((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        created.once('error', onError);
        created.listen(options.listen.port, options.listen.host, () => {
          created.off('error', onError);
          resolve();
        });
      });
      created.on('error', (error) => logger.error({ err: error }, 'metrics server error'));
      logger.info({ address: this.address() }, 'metrics server listening');
    },
    address() {
      const info = server?.address() as AddressInfo | null | undefined;
      if (info === null || info === undefined) throw new HttpError(500, 'INVALID_OPTION', 'metrics server is not listening');
      return { host: info.address, port: info.port };
    },
    close() {
      const running = server;
      if (running === undefined || !running.listening) return Promise.resolve();
      return new Promise<void>((resolve) => {
        running.close(() => resolve());
        running.closeAllConnections();
      });
    },
  };
}
