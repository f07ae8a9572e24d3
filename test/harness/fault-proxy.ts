// An HTTP proxy in front of a real harness registry, for the faults a real registry cannot be
// made to produce on demand: throttling, 5xx, resets, stalls, truncated, corrupted or
// oversized bodies, redirects to a metadata address. Everything it does not fault is passed
// through unchanged, Host header included, so the registry's Location headers point back at
// the proxy. Tests that use it say so, and why, in a comment.
import { Buffer } from 'node:buffer';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Readable } from 'node:stream';

export type Fault = (
  | { /** Answer with this status and a distribution-style error body. */ status: number; retryAfter?: string; body?: string }
  | { /** Reset the connection (TCP RST) without answering. */ reset: true }
  | { /** Never answer; the socket stays open until the client gives up or the proxy stops. */ stall: true }
  | { /** Pass the response on, but cut its body after this many bytes and drop the connection. */ truncate: number }
  | {
      /** Pass the response on with one byte of the body changed; headers (Docker-Content-Digest too) stay. */
      corrupt: true;
    }
  | {
      /** Answer 200 with a body of this many bytes and a manifest content type. */
      oversize: number;
      mediaType?: string;
      /** Send it chunked, without Content-Length, so only reading reveals the size. */
      chunked?: boolean;
    }
  | { /** Answer a redirect to this URL. */ redirect: string; redirectStatus?: 301 | 302 | 303 | 307 | 308 }
) & {
  /** Apply to this many matching requests only (counted per distinct fault since setFault), then pass through. */
  times?: number;
};

export interface FaultRequest {
  method: string;
  /** Path without the query. */
  path: string;
  /** Path with the query, as requested. */
  url: string;
  headers: IncomingHttpHeaders;
}

export type FaultChooser = (request: FaultRequest) => Fault | undefined;

export interface ProxiedRequest {
  method: string;
  /** Path with the query, as requested. */
  path: string;
  /** The status the client got; 0 when it got none (reset, stall, dropped connection). */
  status: number;
  /** The kind of fault applied, if any. */
  fault?: string;
  /** Epoch ms the request arrived, so tests can check the client's backoff between retries. */
  at: number;
}

export interface RunningFaultProxy {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  setFault(chooser: FaultChooser | undefined): void;
  /** Every request that reached the proxy, in arrival order. */
  requests: ProxiedRequest[];
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

const ERROR_CODES: Record<number, string> = {
  401: 'UNAUTHORIZED',
  403: 'DENIED',
  404: 'NOT_FOUND',
  429: 'TOOMANYREQUESTS',
  503: 'UNAVAILABLE',
};

function faultKind(fault: Fault): string {
  if ('status' in fault) return `status ${fault.status}`;
  if ('reset' in fault) return 'reset';
  if ('stall' in fault) return 'stall';
  if ('truncate' in fault) return 'truncate';
  if ('corrupt' in fault) return 'corrupt';
  if ('oversize' in fault) return 'oversize';
  return 'redirect';
}

/**
 * Changes one byte. When the body holds a `sha256:` digest, one of its hex digits is changed so
 * JSON stays valid and only the content digest gives the change away; else the middle byte flips.
 */
export function corruptBytes(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  if (copy.length === 0) return copy;
  const marker = copy.lastIndexOf('sha256:');
  const position = marker >= 0 && marker + 17 < copy.length ? marker + 17 : Math.floor(copy.length / 2);
  const byte = copy[position]!;
  copy[position] = byte === 0x30 ? 0x31 : marker >= 0 && position === marker + 17 ? 0x30 : byte ^ 0x01;
  return copy;
}

/** `{"schemaVersion":2,"mediaType":...,"padding":"xxxx..."}`, exactly `size` bytes when size allows. */
function* oversizeBody(size: number, mediaType: string): Generator<Buffer> {
  const head = Buffer.from(`{"schemaVersion":2,"mediaType":"${mediaType}","padding":"`);
  const tail = Buffer.from('"}');
  if (size < head.length + tail.length) {
    yield Buffer.alloc(size, 0x20);
    return;
  }
  yield head;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  for (let left = size - head.length - tail.length; left > 0; left -= chunk.length) {
    yield left >= chunk.length ? chunk : chunk.subarray(0, left);
  }
  yield tail;
}

export async function startFaultProxy(options: { target: string }): Promise<RunningFaultProxy> {
  const target = new URL(options.target);
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  let chooser: FaultChooser | undefined;
  let applied = new Map<string, number>();

  function choose(request: IncomingMessage): Fault | undefined {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const fault = chooser?.({
      method: request.method ?? 'GET',
      path: query >= 0 ? url.slice(0, query) : url,
      url,
      headers: request.headers,
    });
    if (!fault) return undefined;
    // Counted by content, not identity, so a chooser may return a fresh object every call.
    const key = JSON.stringify(fault);
    const count = applied.get(key) ?? 0;
    if (fault.times !== undefined && count >= fault.times) return undefined;
    applied.set(key, count + 1);
    return fault;
  }

  function forward(
    request: IncomingMessage,
    response: ServerResponse,
    onResponse: (upstream: IncomingMessage) => void,
  ): void {
    const upstreamRequest = httpRequest(
      {
        hostname: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      onResponse,
    );
    upstreamRequest.on('error', () => {
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end('fault proxy: upstream unreachable');
      } else response.destroy();
    });
    request.pipe(upstreamRequest);
  }

  function responseHeaders(upstream: IncomingMessage): Record<string, string | string[]> {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(upstream.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
    }
    return headers;
  }

  function handle(request: IncomingMessage, response: ServerResponse, entry: ProxiedRequest): void {
    const fault = choose(request);
    if (fault) entry.fault = faultKind(fault);

    if (!fault) {
      forward(request, response, (upstream) => {
        const headers = responseHeaders(upstream);
        // Without a length the body is chunked again by us; with one it goes through as is.
        response.writeHead(upstream.statusCode ?? 502, headers);
        upstream.pipe(response);
      });
      return;
    }
    if ('status' in fault) {
      request.resume();
      const body =
        fault.body ??
        JSON.stringify({
          errors: [{ code: ERROR_CODES[fault.status] ?? 'UNKNOWN', message: `fault proxy: injected ${fault.status}`, detail: null }],
        });
      response.writeHead(fault.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(body)),
        'docker-distribution-api-version': 'registry/2.0',
        ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
      });
      response.end(body);
      return;
    }
    if ('reset' in fault) {
      request.socket.resetAndDestroy();
      return;
    }
    if ('stall' in fault) {
      request.resume(); // read the request so the client is not blocked sending it
      return;
    }
    if ('redirect' in fault) {
      request.resume();
      response.writeHead(fault.redirectStatus ?? 307, { location: fault.redirect, 'content-length': '0' });
      response.end();
      return;
    }
    if ('oversize' in fault) {
      request.resume();
      const mediaType = fault.mediaType ?? 'application/vnd.oci.image.manifest.v1+json';
      response.writeHead(200, {
        'content-type': mediaType,
        'docker-distribution-api-version': 'registry/2.0',
        ...(fault.chunked ? {} : { 'content-length': String(fault.oversize) }),
      });
      if (request.method === 'HEAD') {
        response.end();
        return;
      }
      Readable.from(oversizeBody(fault.oversize, mediaType)).pipe(response);
      return;
    }
    if ('truncate' in fault) {
      const limit = fault.truncate;
      forward(request, response, (upstream) => {
        response.writeHead(upstream.statusCode ?? 502, responseHeaders(upstream));
        response.flushHeaders(); // the headers go out even when the cut is at byte 0
        let sent = 0;
        let cut = false;
        upstream.on('data', (chunk: Buffer) => {
          if (cut) return;
          const room = limit - sent;
          if (chunk.length < room) {
            sent += chunk.length;
            response.write(chunk);
            return;
          }
          cut = true;
          upstream.destroy();
          // Drop the connection once the partial body is out, so the client sees a short body.
          response.write(chunk.subarray(0, room), () => response.socket?.destroy());
        });
        upstream.on('end', () => {
          if (!cut) response.end();
        });
      });
      return;
    }
    // corrupt
    forward(request, response, (upstream) => {
      const chunks: Buffer[] = [];
      upstream.on('data', (chunk: Buffer) => chunks.push(chunk));
      upstream.on('end', () => {
        const body = corruptBytes(Buffer.concat(chunks));
        const headers = responseHeaders(upstream);
        if (headers['content-length'] === undefined && request.method !== 'HEAD') headers['content-length'] = String(body.length);
        response.writeHead(upstream.statusCode ?? 502, headers);
        response.end(request.method === 'HEAD' ? undefined : body);
      });
    });
  }

  const server = createServer((request, response) => {
    const entry: ProxiedRequest = { method: request.method ?? 'GET', path: request.url ?? '/', status: 0, at: Date.now() };
    requests.push(entry);
    response.on('finish', () => {
      entry.status = response.statusCode;
    });
    handle(request, response, entry);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault(next) {
      chooser = next;
      applied = new Map();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
