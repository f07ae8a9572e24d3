// Scaling benchmark (not a test): warm-path throughput of one slimguard process against two
// processes sharing the webhook port with --reuse-port (the kernel spreads connections over them),
// on this machine's cores, with the bare Node HTTPS server measured the same way as the limit.
//
// Nothing is pinned here: two servers and wrk share the cores, as they would share a node. Each
// process has its own image cache and its own metrics port, so each is warmed and checked on its
// own (its /metrics must count the warm-up reviews). Rounds alternate 1 and 2 processes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { expect, inject, it } from 'vitest';
import { DEPLOYED_NODE_FLAGS } from '../test/harness/serve-process.js';
import { admissionReview } from '../test/webhook/objects.js';
import { httpBenchSetup, machine, median, ROOT, startProcess, stopProcess, wrk } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

interface Started {
  child: Awaited<ReturnType<typeof startProcess>>['child'];
  port: number;
  metricsPort?: number;
}

it('scaling: 1 vs 2 processes on one port', { timeout: 30 * 60_000 }, async () => {
  const { anonymous } = inject('registries');
  const { pod, certs, bodyFile } = await httpBenchSetup(anonymous, 'scaling');
  const started: Started[] = [];

  const slimguard = async (port: number, reusePort: boolean, name: string): Promise<Started> => {
    const args = [...DEPLOYED_NODE_FLAGS, 'dist/cli/main.js', 'serve', '--listen', `127.0.0.1:${port}`, '--metrics-listen', '127.0.0.1:0', '--tls-cert', certs.certFile, '--tls-key', certs.keyFile, '--insecure-registry', anonymous.host];
    const { child, value } = await startProcess(
      reusePort ? [...args, '--reuse-port'] : args,
      (line) => (line.msg === 'slimguard serving' ? (line as { webhook: { port: number }; metrics: { port: number } }) : undefined),
      { logFile: join(certs.dir, `${name}.log`) },
    );
    const server = { child, port: value.webhook.port, metricsPort: value.metrics.port };
    started.push(server);
    return server;
  };
  const bare = async (port: number, reusePort: boolean): Promise<Started> => {
    const { child, value } = await startProcess(['bench/bare-server.mjs', certs.certFile, certs.keyFile, String(port), reusePort ? 'reuse' : ''], (line) => line.listening as number | undefined);
    const server = { child, port: value };
    started.push(server);
    return server;
  };

  try {
    const single = await slimguard(0, false, 'single');
    const pairA = await slimguard(0, true, 'pair-a');
    const pairB = await slimguard(pairA.port, true, 'pair-b');
    const bareSingle = await bare(0, false);
    const barePairA = await bare(0, true);
    await bare(barePairA.port, true);

    // Warm every process: a fresh connection per request lets the kernel spread them, until each
    // process's own metrics show it answered reviews.
    const review = JSON.stringify(admissionReview(pod));
    for (const server of [single, pairA, pairB]) {
      for (let attempt = 0; attempt < 200 && (await reviewsAnswered(server)) < 3; attempt += 1) {
        const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
        const answer = await request(`https://127.0.0.1:${server.port}/validate?timeout=10s`, { method: 'POST', body: review, headers: { 'content-type': 'application/json' }, dispatcher });
        expect(answer.statusCode).toBe(200);
        expect(((await answer.body.json()) as { response: { allowed: boolean } }).response.allowed).toBe(true);
        await dispatcher.close();
      }
      expect(await reviewsAnswered(server)).toBeGreaterThanOrEqual(3);
    }

    const targets = {
      'slimguard 1 process': `https://127.0.0.1:${single.port}/validate?timeout=10s`,
      'slimguard 2 processes': `https://127.0.0.1:${pairA.port}/validate?timeout=10s`,
      'bare 1 process': `https://127.0.0.1:${bareSingle.port}/validate`,
      'bare 2 processes': `https://127.0.0.1:${barePairA.port}/validate`,
    };
    const runs: Record<string, ReturnType<typeof wrk>[]> = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      const order = Object.entries(targets);
      for (const [name, url] of round % 2 === 0 ? order : order.reverse()) runs[name]!.push(wrk(url, bodyFile, { connections: CONNECTIONS, seconds: SECONDS }));
    }
    const results = Object.fromEntries(
      Object.entries(runs).map(([name, list]) => [
        name,
        { rps: Math.round(median(list.map((r) => r.rps))), p99Ms: median(list.map((r) => r.p99)) / 1000, errors: list.reduce((sum, r) => sum + r.errors + r.non2xx, 0) },
      ]),
    );
    const speedup = (two: string, one: string) => Number((results[two]!.rps / results[one]!.rps).toFixed(2));
    const result = {
      benchmark: 'scaling',
      machine: machine(),
      command: 'npm run bench -- bench/scaling.run.ts',
      method: '1 process vs 2 processes sharing the port with SO_REUSEPORT (slimguard serve --reuse-port); wrk (1 thread) and the servers share all cores, unpinned; rounds interleaved; medians',
      settings: { rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, containers: 3 },
      results,
      speedup: { slimguard: speedup('slimguard 2 processes', 'slimguard 1 process'), bare: speedup('bare 2 processes', 'bare 1 process') },
      runs,
    };
    writeFileSync(join(ROOT, 'bench', 'results', 'scaling.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `scaling: ${Object.entries(results).map(([name, r]) => `${name} ${r.rps} req/s p99 ${r.p99Ms} ms`).join('; ')}; ` +
        `2-process speedup slimguard ${result.speedup.slimguard}x, bare ${result.speedup.bare}x`,
    );
    for (const r of Object.values(results)) expect(r.errors).toBe(0);
  } finally {
    for (const server of started.reverse()) await stopProcess(server.child);
  }
});

/** slimguard_admission_requests_total summed over its series, from the process's own /metrics. */
async function reviewsAnswered(server: Started): Promise<number> {
  const text = await (await request(`http://127.0.0.1:${server.metricsPort}/metrics`)).body.text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('slimguard_admission_requests_total{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
