import type { ServerResponse } from 'node:http';

/**
 * Error answers are Kubernetes `Status` objects (metav1.Status). The API server's REST client
 * decodes a non-2xx body as a Status when it can and then shows its `message` in the error a user
 * sees ("failed calling webhook ...: request body exceeds 3145728 bytes") instead of a generic
 * "the server has prevented the request from succeeding".
 */
const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function statusBody(statusCode: number, message: string): string {
  return JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: REASONS[statusCode] ?? (statusCode >= 500 ? 'InternalError' : 'BadRequest'),
    code: statusCode,
  });
}

/** Writes a Status answer; extra headers (Allow, Retry-After, Connection) are added as given. */
export function sendStatus(
  response: ServerResponse,
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const body = statusBody(statusCode, message);
  response.writeHead(statusCode, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  });
  response.end(body);
}

/** Writes a short plain-text answer (health and readiness probes read only the status). */
export function sendText(response: ServerResponse, statusCode: number, text: string, headers: Record<string, string> = {}): void {
  if (response.headersSent || response.destroyed) return;
  response.writeHead(statusCode, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
    ...headers,
  });
  response.end(text);
}
