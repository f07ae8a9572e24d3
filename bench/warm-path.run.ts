// Warm-path benchmark (not a test): slimguard's /validate with every image digest cached, against
// a bare Node HTTPS server that parses the body and answers a fixed AdmissionReview. Both run as
// their own process with the same certificate; wrk drives them alternately, several rounds, and
// the medians are compared. Goal (issue "webhook"): throughput >= 0.7x bare, p99 <= 2x bare.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { expect, inject, it } from 'vitest';
import { admissionReview } from '../test/webhook/objects.js';
import { benchPod, cpuMicros, machine, median, ROOT, startProcess, stopProcess, wrk, writeCertificates, type WrkResult } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

it('warm path: slimguard vs a bare HTTPS server', { timeout: 30 * 60_000 }, async () => {
  const { anonymous } = inject('registries');
  const pod = await benchPod(anonymous, 'bench');
  const certs = writeCertificates();
  const bodyFile = join(certs.dir, 'review.json');
  writeFileSync(bodyFile, JSON.stringify(admissionReview(pod)));

  const bare = await startProcess(['bench/bare-server.mjs', certs.certFile, certs.keyFile], (line) => line.listening as number | undefined);
  const slimguard = await startProcess(
    ['dist/cli/main.js', 'serve', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--tls-cert', certs.certFile, '--tls-key', certs.keyFile, '--insecure-registry', anonymous.host],
    (line) => (line.msg === 'slimguard serving' ? (line.webhook as { port: number }).port : undefined),
  );
  try {
    const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
    // Warm the cache and check the answer is a real verdict, not an error.
    const warm = await request(`https://127.0.0.1:${slimguard.value}/validate?timeout=10s`, {
      method: 'POST',
      body: JSON.stringify(admissionReview(pod)),
      headers: { 'content-type': 'application/json' },
      dispatcher,
    });
    const answer = (await warm.body.json()) as { response: { allowed: boolean; warnings?: string[] } };
    expect(warm.statusCode).toBe(200);
    expect(answer.response.allowed).toBe(true);
    await dispatcher.close();

    type Run = WrkResult & { cpuMicrosPerRequest: number };
    const measure = (pid: number, url: string): Run => {
      const before = cpuMicros(pid);
      const result = wrk(url, bodyFile, { connections: CONNECTIONS, seconds: SECONDS });
      return { ...result, cpuMicrosPerRequest: Math.round((cpuMicros(pid) - before) / result.requests) };
    };
    const runs: { bare: Run[]; slimguard: Run[] } = { bare: [], slimguard: [] };
    for (let round = 0; round < ROUNDS; round += 1) {
      runs.bare.push(measure(bare.child.pid!, `https://127.0.0.1:${bare.value}/validate`));
      runs.slimguard.push(measure(slimguard.child.pid!, `https://127.0.0.1:${slimguard.value}/validate?timeout=10s`));
    }
    const summary = (results: Run[]) => ({
      rps: Math.round(median(results.map((r) => r.rps))),
      cpuMicrosPerRequest: median(results.map((r) => r.cpuMicrosPerRequest)),
      p50Ms: median(results.map((r) => r.p50)) / 1000,
      p99Ms: median(results.map((r) => r.p99)) / 1000,
      errors: results.reduce((sum, r) => sum + r.errors + r.non2xx, 0),
    });
    const bareSummary = summary(runs.bare);
    const slimSummary = summary(runs.slimguard);
    const result = {
      benchmark: 'warm-path',
      machine: machine(),
      settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, containers: 3 },
      bare: bareSummary,
      slimguard: slimSummary,
      throughputRatio: Number((slimSummary.rps / bareSummary.rps).toFixed(2)),
      p99Ratio: Number((slimSummary.p99Ms / bareSummary.p99Ms).toFixed(2)),
      goals: { throughputRatio: '>= 0.7', p99Ratio: '<= 2' },
      runs,
    };
    writeFileSync(join(ROOT, 'bench', 'results', 'warm-path.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `warm path: bare ${bareSummary.rps} req/s p99 ${bareSummary.p99Ms} ms ${bareSummary.cpuMicrosPerRequest} us CPU/req; ` +
        `slimguard ${slimSummary.rps} req/s p99 ${slimSummary.p99Ms} ms ${slimSummary.cpuMicrosPerRequest} us CPU/req; ` +
        `throughput ${result.throughputRatio}x (goal >= 0.7), p99 ${result.p99Ratio}x (goal <= 2)`,
    );
    expect(slimSummary.errors).toBe(0);
  } finally {
    await stopProcess(slimguard.child);
    await stopProcess(bare.child);
  }
});
