// The physical limit the webhook is measured against: a bare Node HTTPS server that reads the
// body, parses it as JSON and answers a fixed AdmissionReview. Same TLS files, same client.
// `node bare-server.mjs CERT KEY [PORT] [reuse]`: with `reuse`, SO_REUSEPORT, so several can share PORT.
// BENCH_SPIN_US=N makes it spin N µs of pure CPU per review before answering: the warm-path
// benchmark's calibration, which shows what a given amount of extra work per review costs in
// throughput on this machine, whoever does it.
// BENCH_COALESCE=1 holds each answer to the end of the event-loop turn and writes the turn's answers
// back to back, as slimguard does (src/http/write-coalescer.ts): the physical limit for a server
// that writes that way, reported beside the plain one so the gain of the technique is not taken
// for a cheap handler.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import { performance } from 'node:perf_hooks';

const [certFile, keyFile, port = '0', reuse] = process.argv.slice(2);
const spinMs = Number(process.env.BENCH_SPIN_US ?? 0) / 1000;
const coalesce = process.env.BENCH_COALESCE === '1';
let queued = [];
const writeQueued = () => {
  const writes = queued;
  queued = [];
  for (const write of writes) write();
};
const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, (req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (spinMs > 0) for (const until = performance.now() + spinMs; performance.now() < until; );
    const body = JSON.stringify({
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: { uid: review.request.uid, allowed: true },
    });
    const write = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (!coalesce) write();
    else {
      if (queued.length === 0) setImmediate(writeQueued);
      queued.push(write);
    }
  });
});
server.keepAliveTimeout = 120_000;
server.listen({ port: Number(port), host: '127.0.0.1', reusePort: reuse === 'reuse' }, () => {
  process.stdout.write(`${JSON.stringify({ listening: server.address().port })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
