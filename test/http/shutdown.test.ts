import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestCa, issueServingCert, makeTempDir, removeDir, writePairFiles, type TestCa } from './certs.js';
import { admissionReview, call, echoHandler, gate, postReview, waitFor } from './client.js';
import { serverFixture } from './server-fixture.js';

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

describe('graceful shutdown', () => {
  it('finishes an in-flight slow review, refuses new connections, then resolves', async () => {
    const release = gate();
    const { server, port } = await fixture.start({
      tls,
      handleReview: async (review) => {
        await release.promise;
        return echoHandler(review);
      },
    });
    const slow = postReview(port, ca.certPem, admissionReview('slow'));
    await waitFor(() => server.inFlight() === 1, 5000, 'the slow review to start');

    let stopped = false;
    const stopping = server.shutdown({ graceMs: 10_000 }).then((result) => {
      stopped = true;
      return result;
    });
    // The listener is closed at once: a new connection is refused.
    await waitFor(
      async () => {
        try {
          await call({ port, ca: ca.certPem, path: '/healthz' });
          return false;
        } catch (error) {
          return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
        }
      },
      5000,
      'new connections to be refused',
    );
    expect(stopped).toBe(false);

    release.open();
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toMatchObject({ response: { uid: 'slow' } });
    expect(answer.headers.connection).toBe('close');
    expect(await stopping).toEqual({ drained: true, abandonedReviews: 0 });
    expect(server.readiness()).toEqual({ ready: false, reasons: ['shutting down'] });
  });

  it('gives up after graceMs: aborts the reviews still running and closes their connections', async () => {
    let signal: AbortSignal | undefined;
    const { server, port } = await fixture.start({
      tls,
      handleReview: async (_review, context) => {
        signal = context.signal;
        await new Promise(() => {}); // never answers
      },
    });
    const stuck = postReview(port, ca.certPem, admissionReview('stuck')).then(
      (result) => result.status,
      (error: NodeJS.ErrnoException) => error.code,
    );
    await waitFor(() => signal !== undefined, 5000, 'the review to start');

    const started = Date.now();
    const result = await server.shutdown({ graceMs: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toEqual({ drained: false, abandonedReviews: 1 });
    expect(signal!.aborted).toBe(true);
    // The client sees its connection cut, not an answer the handler never gave.
    expect(await stuck).toBe('ECONNRESET');
  });

  it('resolves at once when nothing is in flight, and twice with the same result', async () => {
    const { server, port } = await fixture.start({ tls, handleReview: echoHandler });
    expect((await postReview(port, ca.certPem, admissionReview('x'))).status).toBe(200);
    const first = server.shutdown({ graceMs: 10_000 });
    const second = server.shutdown({ graceMs: 1 });
    const started = Date.now();
    expect(await first).toEqual({ drained: true, abandonedReviews: 0 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await second).toEqual(await first);
  });
});
