import { request as httpsRequest, type Agent } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface CallOptions {
  port: number;
  ca: string;
  method?: string;
  path?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Defaults to a fresh connection per call (agent: false), so each call does its own handshake. */
  agent?: Agent | false;
}

export interface CallResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** Serial number of the certificate the server presented on this connection. */
  serialNumber: string;
  /** The client's port: equal for two calls that reused one connection. */
  localPort: number;
}

/** One HTTPS request to 127.0.0.1 that trusts only the test CA. */
export function call(options: CallOptions): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port: options.port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        ca: options.ca,
        agent: options.agent ?? false,
      },
      (response) => {
        const socket = response.socket as TLSSocket;
        const serialNumber = socket.getPeerCertificate().serialNumber;
        const localPort = socket.localPort ?? 0;
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
            serialNumber,
            localPort,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

export function postReview(port: number, ca: string, review: unknown, path = '/validate?timeout=10s') {
  return call({
    port,
    ca,
    method: 'POST',
    path,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(review),
  });
}

export function admissionReview(uid: string) {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid, kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', object: {} },
  };
}

/** A handler that allows everything and echoes the uid, as a real AdmissionReview answer. */
export async function echoHandler(review: unknown) {
  const uid = (review as { request?: { uid?: string } }).request?.uid ?? '';
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } };
}

/** Waits until check() returns true, polling; fails after timeoutMs. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A promise with its resolve function, for handlers that block until a test lets them go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
