import { Agent, request as httpsRequest } from 'node:https';
import { connect } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpError, type ReviewContext, type ReviewDoneEvent } from '../../src/http/index.js';
import { createTestCa, issueServingCert, makeTempDir, removeDir, writePairFiles, type TestCa } from './certs.js';
import { admissionReview, call, echoHandler, gate, postReview, waitFor } from './client.js';
import { captureLogger, serverFixture, type FixtureOptions } from './server-fixture.js';

let ca: TestCa;
let dir: string;
let tls: { certFile: string; keyFile: string };
const fixture = serverFixture();

beforeAll(async () => {
  ca = createTestCa();
  dir = await makeTempDir();
  tls = await writePairFiles(dir, issueServingCert(ca, { serial: 0x1001 }));
});
afterEach(() => fixture.cleanup());
afterAll(() => removeDir(dir));

/** Sends the headers (and optionally some body) and resolves with the first response, without ending the request. */
function responseBeforeBodyEnds(
  port: number,
  headers: Record<string, string | number>,
  feed: (write: (chunk: Buffer) => boolean) => void,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: '127.0.0.1', port, method: 'POST', path: '/validate', headers, ca: ca.certPem, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString() });
          request.destroy();
        });
      },
    );
    // The server may close while we are still writing; only a missing response is a failure.
    request.on('error', (error) => setTimeout(() => reject(error), 1000));
    request.flushHeaders();
    feed((chunk) => request.write(chunk));
  });
}

/** A server whose handler echoes the review and records the context it was given. */
async function startRecordingContexts(extra: Partial<FixtureOptions> = {}): Promise<{ port: number; contexts: ReviewContext[] }> {
  const contexts: ReviewContext[] = [];
  const { port } = await fixture.start({
    tls,
    handleReview: async (review, context) => {
      contexts.push(context);
      return echoHandler(review);
    },
    ...extra,
  });
  return { port, contexts };
}

describe('POST /validate', () => {
  it('answers a valid review with the handler result, and reports it', async () => {
    const done: ReviewDoneEvent[] = [];
    const { port, contexts } = await startRecordingContexts({ onReviewDone: (event) => done.push(event) });

    const before = Date.now();
    const result = await postReview(port, ca.certPem, admissionReview('uid-123'));

    expect(result.status).toBe(200);
    expect(result.headers['content-type']).toBe('application/json');
    expect(JSON.parse(result.text)).toEqual({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: 'uid-123', allowed: true },
    });
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ statusCode: 200, deadlineExceeded: false });
    expect(done[0]!.durationSeconds).toBeGreaterThan(0);
    // timeout=10s with the default 1 s margin: 9 s from the start of the request.
    expect(contexts[0]!.timeoutMs).toBe(10_000);
    expect(contexts[0]!.deadline).toBeGreaterThanOrEqual(before + 9_000);
    expect(contexts[0]!.deadline).toBeLessThanOrEqual(Date.now() + 9_000);
    expect(contexts[0]!.signal.aborted).toBe(false);
    expect(contexts[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every review its own UUID-shaped request id, and the same budget for the same ?timeout=', async () => {
    const { port, contexts } = await startRecordingContexts();
    for (const path of ['/validate?timeout=10s', '/validate?timeout=10s', '/validate?timeout=4s', '/validate?timeout=10s']) {
      expect((await postReview(port, ca.certPem, admissionReview('uid-id'), path)).status).toBe(200);
    }
    const ids = contexts.map((context) => context.requestId);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(contexts.map((context) => context.timeoutMs)).toEqual([10_000, 10_000, 4_000, 10_000]);
  });

  it('accepts a charset parameter and applies ?timeout= to the deadline', async () => {
    const { port, contexts } = await startRecordingContexts();
    const before = Date.now();
    const result = await call({
      port,
      ca: ca.certPem,
      method: 'POST',
      path: '/validate?timeout=3s',
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(admissionReview('u')),
    });
    expect(result.status).toBe(200);
    expect(contexts[0]!.timeoutMs).toBe(3_000);
    expect(contexts[0]!.deadline - before).toBeGreaterThanOrEqual(2_000);
    expect(contexts[0]!.deadline - before).toBeLessThan(2_500);
  });

  it('refuses a body whose Content-Length is over the cap before reading it (413)', async () => {
    let called = false;
    const { port } = await fixture.start({
      tls,
      maxBodyBytes: 1000,
      handleReview: async () => {
        called = true;
        return {};
      },
    });
    // Only the headers are sent: an answer proves the server did not wait for the body.
    const result = await responseBeforeBodyEnds(port, { 'Content-Type': 'application/json', 'Content-Length': 5000 }, () => {});
    expect(result.status).toBe(413);
    expect(result.headers.connection).toBe('close');
    expect(JSON.parse(result.text)).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
    expect(called).toBe(false);
  });

  it('stops reading a chunked body at the cap and answers 413 while the client is still sending', async () => {
    const { port } = await fixture.start({ tls, maxBodyBytes: 1000, handleReview: echoHandler });
    const result = await responseBeforeBodyEnds(
      port,
      { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      (write) => {
        // 400-byte chunks; the request is never ended, so only an early answer can arrive.
        let sent = 0;
        const timer = setInterval(() => {
          if (sent >= 20) return clearInterval(timer);
          sent += 1;
          write(Buffer.alloc(400, 0x20));
        }, 20);
      },
    );
    expect(result.status).toBe(413);
    expect(JSON.parse(result.text)).toMatchObject({ reason: 'RequestEntityTooLarge', message: 'request body exceeds 1000 bytes' });
  });

  it('accepts a body of exactly the cap', async () => {
    const { port } = await fixture.start({ tls, maxBodyBytes: 1000, handleReview: echoHandler });
    const json = JSON.stringify(admissionReview('x'));
    const body = json + ' '.repeat(1000 - Buffer.byteLength(json));
    const result = await call({ port, ca: ca.certPem, method: 'POST', path: '/validate', headers: { 'Content-Type': 'application/json' }, body });
    expect(result.status).toBe(200);
  });

  it.each([
    ['text/plain', undefined],
    ['application/x-www-form-urlencoded', undefined],
    [undefined, undefined],
    ['application/json', 'gzip'],
  ])('answers 415 to Content-Type %s with Content-Encoding %s', async (contentType, contentEncoding) => {
    let called = false;
    const { port } = await fixture.start({
      tls,
      handleReview: async () => {
        called = true;
        return {};
      },
    });
    const headers: Record<string, string> = {};
    if (contentType !== undefined) headers['Content-Type'] = contentType;
    if (contentEncoding !== undefined) headers['Content-Encoding'] = contentEncoding;
    const result = await call({ port, ca: ca.certPem, method: 'POST', path: '/validate', headers, body: '{}' });
    expect(result.status).toBe(415);
    expect(JSON.parse(result.text)).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    expect(called).toBe(false);
  });

  it.each([
    ['{"apiVersion": ', 'not valid JSON'],
    ['', 'empty'],
  ])('answers 400 with a JSON Status to the body %j', async (body, fragment) => {
    const { server, port } = await fixture.start({ tls, handleReview: echoHandler });
    const result = await call({ port, ca: ca.certPem, method: 'POST', path: '/validate', headers: { 'Content-Type': 'application/json' }, body });
    expect(result.status).toBe(400);
    expect(result.headers['content-type']).toBe('application/json');
    const status = JSON.parse(result.text) as { message: string; reason: string };
    expect(status.reason).toBe('BadRequest');
    expect(status.message).toContain(fragment);
    expect(server.inFlight()).toBe(0);
  });

  it.each([
    ['GET', '/validate', 'POST'],
    ['PUT', '/validate', 'POST'],
    ['DELETE', '/validate', 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
    ['POST', '/readyz', 'GET, HEAD'],
  ])('answers 405 to %s %s with Allow: %s', async (method, path, allow) => {
    const { port } = await fixture.start({ tls, handleReview: echoHandler });
    const result = await call({ port, ca: ca.certPem, method, path });
    expect(result.status).toBe(405);
    expect(result.headers.allow).toBe(allow);
    expect(JSON.parse(result.text)).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
  });

  it('keeps connections alive for longer than the API server client idles them', async () => {
    const { port } = await fixture.start({ tls, handleReview: echoHandler });
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: ca.certPem });
    try {
      const localPorts = new Set<number>();
      for (const uid of ['one', 'two']) {
        const result = await call({ port, ca: ca.certPem, method: 'POST', path: '/validate', agent, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(admissionReview(uid)) });
        expect(result.status).toBe(200);
        expect(result.headers['keep-alive']).toBe('timeout=120');
        localPorts.add(result.localPort);
      }
      expect(localPorts.size).toBe(1);
      expect([...localPorts][0]).toBeGreaterThan(0);
    } finally {
      agent.destroy();
    }
  });

  it('routes the /validate/ spelling through express to the same handler', async () => {
    const { port } = await fixture.start({ tls, handleReview: echoHandler });
    const result = await postReview(port, ca.certPem, admissionReview('slash'), '/validate/?timeout=5s');
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toMatchObject({ response: { uid: 'slash' } });
  });

  it('answers 404 to other paths', async () => {
    const { port } = await fixture.start({ tls, handleReview: echoHandler });
    const result = await call({ port, ca: ca.certPem, method: 'POST', path: '/mutate', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(result.status).toBe(404);
    expect(JSON.parse(result.text)).toMatchObject({ reason: 'NotFound' });
  });

  it('passes a handler client error (4xx statusCode) through with its message', async () => {
    const log = captureLogger();
    const done: ReviewDoneEvent[] = [];
    const { port } = await fixture.start({
      tls,
      logger: log.logger,
      onReviewDone: (event) => done.push(event),
      handleReview: async (review) => {
        const uid = (review as { request?: { uid?: string } }).request?.uid;
        if (uid === 'bad') throw new HttpError(400, 'BAD_REVIEW', 'request.uid is missing');
        throw Object.assign(new Error('not an AdmissionReview v1'), { statusCode: 422 });
      },
    });

    const bad = await postReview(port, ca.certPem, admissionReview('bad'));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ kind: 'Status', status: 'Failure', message: 'request.uid is missing', code: 400 });

    const unprocessable = await postReview(port, ca.certPem, admissionReview('other'));
    expect(unprocessable.status).toBe(422);
    expect(JSON.parse(unprocessable.text)).toMatchObject({ message: 'not an AdmissionReview v1', reason: 'Invalid' });

    expect(done.map((event) => event.statusCode)).toEqual([400, 422]);
    const refused = log.records().filter((record) => record.msg === 'review refused');
    expect(refused.map((record) => [record.statusCode, record.reason])).toEqual([
      [400, 'request.uid is missing'],
      [422, 'not an AdmissionReview v1'],
    ]);
  });

  it('turns a handler crash into a generic 500, logs it without the body, and keeps serving', async () => {
    const log = captureLogger();
    const { port } = await fixture.start({
      tls,
      logger: log.logger,
      handleReview: async (review) => {
        const uid = (review as { request?: { uid?: string } }).request?.uid;
        if (uid === 'crash') throw new TypeError('internal detail: cannot read properties of undefined');
        if (uid === 'nothing') return undefined;
        return echoHandler(review);
      },
    });
    const review = admissionReview('crash');
    (review.request.object as Record<string, string>).secret = 'BODY-MARKER-do-not-log';

    const crashed = await postReview(port, ca.certPem, review);
    expect(crashed.status).toBe(500);
    const status = JSON.parse(crashed.text) as { message: string; reason: string };
    expect(status.reason).toBe('InternalError');
    expect(status.message).not.toContain('internal detail');

    const empty = await postReview(port, ca.certPem, admissionReview('nothing'));
    expect(empty.status).toBe(500);

    const after = await postReview(port, ca.certPem, admissionReview('fine'));
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text)).toMatchObject({ response: { uid: 'fine' } });

    const errors = log.records().filter((record) => record.level === 50);
    expect(errors).toHaveLength(2);
    expect(JSON.stringify(errors[0])).toContain('internal detail');
    expect(log.lines.join('\n')).not.toContain('BODY-MARKER');
  });

  it('answers 429 with Retry-After beyond maxConcurrent, and serves again once a slot frees', async () => {
    const release = gate();
    const done: ReviewDoneEvent[] = [];
    const { server, port } = await fixture.start({
      tls,
      maxConcurrent: 2,
      onReviewDone: (event) => done.push(event),
      handleReview: async (review) => {
        await release.promise;
        return echoHandler(review);
      },
    });
    const first = postReview(port, ca.certPem, admissionReview('a'));
    const second = postReview(port, ca.certPem, admissionReview('b'));
    await waitFor(() => server.inFlight() === 2, 5000, 'two reviews in flight');

    const third = await postReview(port, ca.certPem, admissionReview('c'));
    expect(third.status).toBe(429);
    expect(third.headers['retry-after']).toBe('1');
    expect(JSON.parse(third.text)).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });

    release.open();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(server.inFlight()).toBe(0);
    expect((await postReview(port, ca.certPem, admissionReview('d'))).status).toBe(200);
    expect(done.map((event) => event.statusCode).sort()).toEqual([200, 200, 200, 429]);
  });

  it('aborts the signal at the deadline but sends only what the handler answers, even late', async () => {
    const done: ReviewDoneEvent[] = [];
    let abortReason: unknown;
    const { port } = await fixture.start({
      tls,
      onReviewDone: (event) => done.push(event),
      handleReview: async (review, { signal }) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        abortReason = signal.reason;
        // Answer well after the deadline: the server must still send this, not an answer of its own.
        await new Promise((resolve) => setTimeout(resolve, 200));
        return echoHandler(review);
      },
    });
    const started = Date.now();
    // timeout=1s: margin capped at half, so the signal aborts after 500 ms.
    const result = await postReview(port, ca.certPem, admissionReview('late'), '/validate?timeout=1s');
    const elapsed = Date.now() - started;
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text)).toMatchObject({ response: { uid: 'late' } });
    expect(elapsed).toBeGreaterThanOrEqual(650);
    expect((abortReason as Error).name).toBe('TimeoutError');
    expect(done[0]).toMatchObject({ statusCode: 200, deadlineExceeded: true });
  });

  it('answers a handler that returns its answer as a value, and a synchronous throw as a 500', async () => {
    const done: ReviewDoneEvent[] = [];
    const { server, port } = await fixture.start({
      tls,
      onReviewDone: (event) => done.push(event),
      handleReview: (review) => {
        const uid = (review as { request: { uid: string } }).request.uid;
        if (uid === 'throw') throw new Error('handler broke synchronously');
        return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } };
      },
    });
    const answered = await postReview(port, ca.certPem, admissionReview('now'));
    expect(answered.status).toBe(200);
    expect(JSON.parse(answered.text)).toMatchObject({ response: { uid: 'now', allowed: true } });
    const crashed = await postReview(port, ca.certPem, admissionReview('throw'));
    expect(crashed.status).toBe(500);
    expect(done.map((event) => event.statusCode)).toEqual([200, 500]);
    expect(server.inFlight()).toBe(0);
  });

  it('aborts at the request deadline a signal first asked for late in the review', async () => {
    let abortReason: unknown;
    let abortedAfterMs = 0;
    const { port } = await fixture.start({
      tls,
      handleReview: async (review, context) => {
        const started = Date.now();
        // The signal (and its timer) is made on first use: 300 ms in, it must still fire at the
        // deadline of the request (500 ms for timeout=1s), not 500 ms after it was asked for.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const { signal } = context;
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        abortedAfterMs = Date.now() - started;
        abortReason = signal.reason;
        return echoHandler(review);
      },
    });
    const result = await postReview(port, ca.certPem, admissionReview('late-signal'), '/validate?timeout=1s');
    expect(result.status).toBe(200);
    expect((abortReason as Error).name).toBe('TimeoutError');
    expect(abortedAfterMs).toBeGreaterThanOrEqual(400);
    expect(abortedAfterMs).toBeLessThan(800);
  });

  it('reports 499 and never calls the handler when the client leaves mid-body', async () => {
    const done: ReviewDoneEvent[] = [];
    let called = false;
    const { server, port } = await fixture.start({
      tls,
      onReviewDone: (event) => done.push(event),
      handleReview: async () => {
        called = true;
        return {};
      },
    });
    const request = httpsRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/validate',
      headers: { 'Content-Type': 'application/json', 'Content-Length': 500 },
      ca: ca.certPem,
      agent: false,
    });
    request.on('error', () => {});
    request.write('{"apiVersion":');
    await waitFor(() => server.inFlight() === 1, 5000, 'the body read to start');
    request.destroy();
    await waitFor(() => done.length === 1, 5000, 'the review to be reported');
    expect(done[0]!.statusCode).toBe(499);
    expect(called).toBe(false);
    expect(server.inFlight()).toBe(0);
  });

  it('aborts the signal when the client closes the connection', async () => {
    let signal: AbortSignal | undefined;
    const aborted = gate();
    const done: ReviewDoneEvent[] = [];
    const { server, port } = await fixture.start({
      tls,
      onReviewDone: (event) => done.push(event),
      handleReview: async (_review, context) => {
        signal = context.signal;
        await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted.open();
        return {};
      },
    });
    const request = httpsRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/validate',
      headers: { 'Content-Type': 'application/json' },
      ca: ca.certPem,
      agent: false,
    });
    request.on('error', () => {});
    request.end(JSON.stringify(admissionReview('gone')));
    await waitFor(() => signal !== undefined, 5000, 'the handler to start');
    request.destroy();
    await aborted.promise;
    expect(signal!.aborted).toBe(true);
    expect((signal!.reason as { code?: string }).code).toBe('CLIENT_CLOSED');
    await waitFor(() => server.inFlight() === 0, 5000, 'the slot to be released');
    expect(done.map((event) => event.statusCode)).toEqual([499]);
  });
});

describe('listening', () => {
  it('shares one port between two servers with reusePort, and refuses a second listener without it', async () => {
    const first = await fixture.start({ tls, handleReview: echoHandler, listen: { host: '127.0.0.1', port: 0, reusePort: true } });
    const second = await fixture.start({ tls, handleReview: echoHandler, listen: { host: '127.0.0.1', port: first.port, reusePort: true } });
    expect(second.port).toBe(first.port);
    const result = await postReview(first.port, ca.certPem, admissionReview('uid-shared'));
    expect(result.status).toBe(200);
    expect(JSON.parse(result.text).response.uid).toBe('uid-shared');

    await expect(fixture.start({ tls, handleReview: echoHandler, listen: { host: '127.0.0.1', port: first.port } })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('health and readiness', () => {
  it('reports readiness from TLS and isReady(), with reasons, while /healthz stays 200', async () => {
    let state = { ready: false, reasons: ['policy not loaded', 'cache warming'] };
    const { server, port } = await fixture.start({ tls, handleReview: echoHandler, isReady: () => state });

    const notReady = await call({ port, ca: ca.certPem, path: '/readyz' });
    expect(notReady.status).toBe(503);
    expect(notReady.text).toBe('not ready: policy not loaded; cache warming\n');
    expect((await call({ port, ca: ca.certPem, path: '/healthz' })).status).toBe(200);

    state = { ready: true, reasons: [] };
    const ready = await call({ port, ca: ca.certPem, path: '/readyz' });
    expect(ready.status).toBe(200);
    expect(ready.text).toBe('ok\n');
    expect(server.tlsLoaded()).toBe(true);
    expect(server.readiness()).toEqual({ ready: true, reasons: [] });

    const healthz = await call({ port, ca: ca.certPem, path: '/healthz' });
    expect(healthz.status).toBe(200);
    expect(healthz.text).toBe('ok\n');
    expect((await call({ port, ca: ca.certPem, method: 'HEAD', path: '/healthz' })).status).toBe(200);
  });

  it('is not ready when the readiness callback throws', async () => {
    const { port } = await fixture.start({
      tls,
      handleReview: echoHandler,
      isReady: () => {
        throw new Error('boom');
      },
    });
    const result = await call({ port, ca: ca.certPem, path: '/readyz' });
    expect(result.status).toBe(503);
    expect(result.text).toContain('readiness check failed');
  });

  it('flips readiness to 503 "shutting down" as soon as shutdown starts', async () => {
    const { server, port } = await fixture.start({ tls, handleReview: echoHandler });
    expect((await call({ port, ca: ca.certPem, path: '/readyz' })).status).toBe(200);
    const stopping = server.shutdown({ graceMs: 1000, delayCloseMs: 500 });
    const during = await call({ port, ca: ca.certPem, path: '/readyz' });
    expect(during.status).toBe(503);
    expect(during.text).toBe('not ready: shutting down\n');
    expect(during.headers.connection).toBe('close');
    // Liveness does not change: the process is fine, it is only leaving.
    expect((await call({ port, ca: ca.certPem, path: '/healthz' })).status).toBe(200);
    await stopping;
  });
});

describe('TLS', () => {
  function handshake(options: { minVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' }, port: number) {
    return new Promise<string>((resolve, reject) => {
      const socket = connect({
        host: '127.0.0.1',
        port,
        ca: ca.certPem,
        ...options,
        // OpenSSL 3 refuses TLS 1.1 on the client side too unless the security level is 0; lower
        // it so that the refusal we observe is the server's.
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        const protocol = socket.getProtocol() ?? '';
        socket.destroy();
        resolve(protocol);
      });
      socket.once('error', reject);
    });
  }

  it('refuses a TLS 1.1 client with a protocol version alert, and serves TLS 1.2 and 1.3', async () => {
    const { port } = await fixture.start({ tls, handleReview: echoHandler });
    await expect(handshake({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' }, port)).rejects.toMatchObject({
      code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
    });
    expect(await handshake({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, port)).toBe('TLSv1.2');
    expect(await handshake({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }, port)).toBe('TLSv1.3');
  });

  it('serves the certificate from the files, for 127.0.0.1', async () => {
    const { server, port } = await fixture.start({ tls, handleReview: echoHandler });
    const result = await call({ port, ca: ca.certPem, path: '/healthz' });
    expect(result.serialNumber).toBe('1001');
    expect(server.tlsCertificate()?.serialNumber).toBe('1001');
  });
});
