import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.js';

/** 3 MiB: the API server's own request limit is 3 MiB, so an AdmissionReview of an object it accepted fits. */
export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * True for `application/json`, with parameters allowed (`; charset=utf-8`), in any case. A charset
 * other than UTF-8 is refused: JSON on the wire is UTF-8 (RFC 8259 section 8.1).
 */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const semicolon = header.indexOf(';');
  const mediaType = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (mediaType !== 'application/json') return false;
  if (semicolon === -1) return true;
  for (const parameter of header.slice(semicolon + 1).split(';')) {
    const equals = parameter.indexOf('=');
    if (equals === -1) continue;
    const name = parameter.slice(0, equals).trim().toLowerCase();
    if (name !== 'charset') continue;
    const value = parameter.slice(equals + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}

/**
 * Reads a request body of at most maxBytes and parses it as JSON.
 *
 * Written by hand instead of body-parser so the review path allocates little (one Buffer per
 * chunk, no stream pipeline) and so the size cap is exact: a Content-Length above the cap is
 * refused before a byte is read, and a chunked body stops being read at the first chunk past it.
 * After a 413 the caller must close the connection (the rest of the body is never read).
 *
 * Throws HttpError: 413 PAYLOAD_TOO_LARGE, 415 UNSUPPORTED_MEDIA_TYPE (compressed body), 400
 * BAD_REQUEST (empty or invalid JSON), or 499 CLIENT_CLOSED when the client went away mid-body.
 */
export function readJsonBody(request: IncomingMessage, options: { maxBytes: number }): Promise<unknown> {
  return new Promise((resolve, reject) => {
    readJsonBodyThen(request, options.maxBytes, (error, body) => (error === undefined ? resolve(body) : reject(error)));
  });
}

/**
 * readJsonBody with a callback, called exactly once: (error) or (undefined, body). The webhook's
 * warm path uses it so that a review answered synchronously awaits no promise at all.
 */
export function readJsonBodyThen(request: IncomingMessage, maxBytes: number, done: (error: HttpError | undefined, body?: unknown) => void): void {
  const encoding = request.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    // The API server never compresses reviews; inflating would also defeat the size cap.
    done(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${encoding} is not supported`));
    return;
  }
  const announced = request.headers['content-length'];
  if (announced !== undefined && Number(announced) > maxBytes) {
    done(tooLarge(maxBytes));
    return;
  }

  let chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (error: HttpError | undefined, body?: unknown) => {
    settled = true;
    // Let go of the body and of the listeners (they hold it) before the review runs.
    chunks = [];
    request.off('data', onData);
    request.off('end', onEnd);
    request.off('error', onGone);
    request.off('close', onGone);
    done(error, body);
  };
  const onData = (chunk: Buffer) => {
    if (settled) return;
    size += chunk.length;
    if (size > maxBytes) {
      request.pause();
      settle(tooLarge(maxBytes));
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    if (settled) return;
    if (size === 0) {
      settle(new HttpError(400, 'BAD_REQUEST', 'request body is empty; expected an AdmissionReview'));
      return;
    }
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (error) {
      // The parser's message names a position, never the content; it is safe to send back.
      const detail = error instanceof Error ? error.message : 'parse error';
      settle(new HttpError(400, 'BAD_REQUEST', `request body is not valid JSON: ${detail}`, { cause: error }));
      return;
    }
    settle(undefined, parsed);
  };
  const onGone = (error?: unknown) => {
    if (settled || request.complete) return; // 'close' after 'end' is normal
    settle(
      new HttpError(499, 'CLIENT_CLOSED', 'client closed the connection before sending the whole body', {
        cause: error,
      }),
    );
  };

  request.on('data', onData);
  request.on('end', onEnd);
  request.on('error', onGone);
  request.on('close', onGone);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds ${maxBytes} bytes`);
}
