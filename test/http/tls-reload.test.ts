import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTlsReloader, readTlsMaterial, TlsLoadError } from '../../src/http/index.js';
import {
  createTestCa,
  issueServingCert,
  makeTempDir,
  removeDir,
  writeAtomicWriterLayout,
  writePairFiles,
  type TestCa,
} from './certs.js';
import { call, echoHandler, waitFor } from './client.js';
import { captureLogger, serverFixture } from './server-fixture.js';

let ca: TestCa;
const dirs: string[] = [];
const fixture = serverFixture();

async function tempDir() {
  const dir = await makeTempDir();
  dirs.push(dir);
  return dir;
}

beforeAll(() => {
  ca = createTestCa();
});
afterEach(() => fixture.cleanup());
afterAll(async () => {
  await Promise.all(dirs.map((dir) => removeDir(dir)));
});

/** The serial a brand-new connection is served (an open connection keeps its handshake). */
async function servedSerial(port: number): Promise<string> {
  return (await call({ port, ca: ca.certPem, path: '/healthz' })).serialNumber;
}

describe('TLS hot reload', () => {
  it('serves a certificate rewritten in place to new connections without a restart', async () => {
    const dir = await tempDir();
    const tls = await writePairFiles(dir, issueServingCert(ca, { serial: 0x1001 }));
    const outcomes: boolean[] = [];
    const { server, port } = await fixture.start({
      // The default debounce, so writing the two files one after the other is one change.
      tls: { ...tls, pollIntervalMs: 0 },
      handleReview: echoHandler,
      onTlsReload: (ok) => outcomes.push(ok),
    });
    expect(await servedSerial(port)).toBe('1001');

    await writePairFiles(dir, issueServingCert(ca, { serial: 0x2002 }));
    await waitFor(async () => (await servedSerial(port)) === '2002', 5000, 'the new certificate');

    expect(outcomes).toEqual([true]);
    expect(server.tlsReloadStats()).toEqual({ reloads: 1, failures: 0 });
    expect(server.tlsCertificate()?.serialNumber).toBe('2002');
  });

  it('follows a Kubernetes atomic-writer ..data symlink swap, and keeps the old pair when the new one is broken', async () => {
    const dir = await tempDir();
    const tls = await writeAtomicWriterLayout(dir, issueServingCert(ca, { serial: 0x1001 }), 1);
    const log = captureLogger();
    const outcomes: boolean[] = [];
    const { server, port } = await fixture.start({
      tls: { ...tls, debounceMs: 50, pollIntervalMs: 0 },
      handleReview: echoHandler,
      logger: log.logger,
      onTlsReload: (ok) => outcomes.push(ok),
    });
    expect(await servedSerial(port)).toBe('1001');

    await writeAtomicWriterLayout(dir, issueServingCert(ca, { serial: 0x2002 }), 2);
    await waitFor(async () => (await servedSerial(port)) === '2002', 5000, 'the swapped certificate');
    expect(outcomes).toEqual([true]);

    // Generation 3: a certificate with somebody else's key.
    const mismatched = { certPem: issueServingCert(ca, { serial: 0x3003 }).certPem, keyPem: issueServingCert(ca, { serial: 0x3004 }).keyPem };
    await writeAtomicWriterLayout(dir, mismatched, 3);
    await waitFor(() => outcomes.length === 2, 5000, 'the refused reload');
    expect(outcomes).toEqual([true, false]);
    expect(await servedSerial(port)).toBe('2002');
    expect(server.tlsLoaded()).toBe(true);
    expect((await call({ port, ca: ca.certPem, path: '/readyz' })).status).toBe(200);
    expect(server.tlsReloadStats()).toEqual({ reloads: 1, failures: 1 });
    const refusal = log.records().find((record) => record.msg === 'TLS reload refused; still serving the previous certificate');
    expect(JSON.stringify(refusal)).toContain('does not match the certificate');
    expect(log.lines.join('\n')).not.toContain('PRIVATE KEY');

    // Generation 4: a good pair again is picked up.
    await writeAtomicWriterLayout(dir, issueServingCert(ca, { serial: 0x4004 }), 4);
    await waitFor(async () => (await servedSerial(port)) === '4004', 5000, 'the repaired certificate');
    expect(outcomes).toEqual([true, false, true]);
  });

  it('keeps serving the old certificate when the new file is not a certificate', async () => {
    const dir = await tempDir();
    const tls = await writePairFiles(dir, issueServingCert(ca, { serial: 0x1001 }));
    const outcomes: boolean[] = [];
    const { port } = await fixture.start({
      tls: { ...tls, debounceMs: 50, pollIntervalMs: 0 },
      handleReview: echoHandler,
      onTlsReload: (ok) => outcomes.push(ok),
    });
    await writeFile(tls.certFile, '-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n');
    await waitFor(() => outcomes.length === 1, 5000, 'the refused reload');
    expect(outcomes).toEqual([false]);
    expect(await servedSerial(port)).toBe('1001');
  });

  it('picks up a change by polling when no file event arrives', async () => {
    const dir = await tempDir();
    const tls = await writePairFiles(dir, issueServingCert(ca, { serial: 0x1001 }));
    const applied: string[] = [];
    const reloader = createTlsReloader({
      ...tls,
      watch: false,
      pollIntervalMs: 100,
      apply: (material) => applied.push(material.serialNumber),
    });
    await reloader.load();
    reloader.start();
    try {
      await writePairFiles(dir, issueServingCert(ca, { serial: 0x2002 }));
      await waitFor(() => applied.length > 0, 5000, 'a poll to install the new pair');
      expect(applied).toEqual(['2002']);
      // Further polls of the same bytes install nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(applied).toEqual(['2002']);
      // The two files are written one after the other: a poll that lands between them sees a
      // new certificate with the old key and rightly refuses it (at most once), then installs.
      expect(reloader.stats().reloads).toBe(1);
      expect(reloader.stats().failures).toBeLessThanOrEqual(1);
    } finally {
      reloader.stop();
    }
  });

  it('reload() reports installed, then unchanged for the same bytes', async () => {
    const dir = await tempDir();
    const tls = await writePairFiles(dir, issueServingCert(ca, { serial: 0x1001 }));
    const reloader = createTlsReloader({ ...tls, apply: () => {} });
    await reloader.load();
    expect(await reloader.reload()).toBe('unchanged');
    await writePairFiles(dir, issueServingCert(ca, { serial: 0x2002 }));
    expect(await reloader.reload()).toBe('installed');
    expect(await reloader.reload()).toBe('unchanged');
    expect(reloader.current()?.serialNumber).toBe('2002');
  });

  it('counts a refused pair once, not again on every poll of the same bytes', async () => {
    const dir = await tempDir();
    const tls = await writePairFiles(dir, issueServingCert(ca, { serial: 0x1001 }));
    const reloader = createTlsReloader({ ...tls, apply: () => {} });
    await reloader.load();
    await writeFile(tls.keyFile, issueServingCert(ca, { serial: 0x5005 }).keyPem);
    expect(await reloader.reload()).toBe('refused');
    expect(await reloader.reload()).toBe('unchanged');
    expect(reloader.stats()).toEqual({ reloads: 0, failures: 1 });
    expect(reloader.current()?.serialNumber).toBe('1001');
  });
});

describe('readTlsMaterial', () => {
  it('names the file at fault and never includes key material', async () => {
    const dir = await tempDir();
    const good = issueServingCert(ca, { serial: 0x1001 });
    const other = issueServingCert(ca, { serial: 0x1002 });
    await writeFile(join(dir, 'c.pem'), good.certPem);
    await writeFile(join(dir, 'k.pem'), other.keyPem);
    await writeFile(join(dir, 'junk.pem'), 'junk');

    const mismatch = readTlsMaterial({ certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') });
    await expect(mismatch).rejects.toBeInstanceOf(TlsLoadError);
    await expect(mismatch).rejects.toThrow(/k\.pem does not match the certificate in .*c\.pem/);

    await expect(readTlsMaterial({ certFile: join(dir, 'junk.pem'), keyFile: join(dir, 'k.pem') })).rejects.toThrow(
      /junk\.pem: not a PEM certificate/,
    );
    await expect(readTlsMaterial({ certFile: join(dir, 'c.pem'), keyFile: join(dir, 'junk.pem') })).rejects.toThrow(
      /junk\.pem: not a usable PEM private key/,
    );
    const missing = readTlsMaterial({ certFile: join(dir, 'absent.pem'), keyFile: join(dir, 'k.pem') });
    await expect(missing).rejects.toMatchObject({ code: 'TLS_LOAD', message: expect.stringContaining('absent.pem') });
    await expect(missing).rejects.not.toThrow(/PRIVATE KEY/);
  });

  it('refuses to start a server on a broken pair', async () => {
    const dir = await tempDir();
    const tls = await writePairFiles(dir, {
      certPem: issueServingCert(ca, { serial: 0x1001 }).certPem,
      keyPem: issueServingCert(ca, { serial: 0x1002 }).keyPem,
    });
    await expect(fixture.start({ tls, handleReview: echoHandler })).rejects.toBeInstanceOf(TlsLoadError);
  });
});
