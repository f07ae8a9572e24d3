import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createServingCertificate } from '../src/certs/certificates.js';
import { buildImage } from '../test/harness/oci-image-builder.js';
import type { HarnessRegistry } from '../test/harness/provided-context.js';
import { pushTo, uniqueRepository } from '../test/image-facts/helpers.js';
import { admissionReview } from '../test/webhook/objects.js';

export const ROOT = join(import.meta.dirname, '..');

export interface WrkResult {
  requests: number;
  durationUs: number;
  errors: number;
  non2xx: number;
  p50: number;
  p90: number;
  p99: number;
  /** requests per second */
  rps: number;
}

/** Certificate files for 127.0.0.1, shared by every server of a run so TLS costs the same. */
export function writeCertificates(): { certFile: string; keyFile: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'slimguard-bench-'));
  const pair = createServingCertificate({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validityDays: 1 });
  writeFileSync(join(dir, 'tls.crt'), pair.certPem);
  writeFileSync(join(dir, 'tls.key'), pair.keyPem);
  return { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), dir };
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  /** Pin the process to these CPUs (`taskset -c`), e.g. "0". */
  cpus?: string;
  /**
   * Send stdout to this file instead of a pipe: the runner then spends no CPU reading the
   * server's log lines on the machine it measures. The file is polled for the ready line.
   */
  logFile?: string;
}

/** Starts a Node child process and resolves with the first stdout JSON line `pick` accepts. */
export function startProcess<T>(
  args: string[],
  pick: (line: Record<string, unknown>) => T | undefined,
  options: StartOptions = {},
): Promise<{ child: ChildProcess; value: T }> {
  const [command, argv] = options.cpus ? ['taskset', ['-c', options.cpus, process.execPath, ...args]] : [process.execPath, args];
  const env = { ...process.env, ...options.env };
  const accept = (line: string): T | undefined => {
    try {
      return pick(JSON.parse(line) as Record<string, unknown>);
    } catch {
      return undefined; // not JSON: ignore
    }
  };
  return new Promise((resolve, reject) => {
    let found = false;
    const onExit = (code: number | null) => {
      if (!found) reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`));
    };
    if (options.logFile !== undefined) {
      // taskset execs the command, so the child's pid is the server's own.
      const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', openSync(options.logFile, 'w'), 'inherit'] });
      child.on('exit', onExit);
      const poll = setInterval(() => {
        for (const line of readFileSync(options.logFile!, 'utf8').split('\n')) {
          const value = accept(line);
          if (value === undefined) continue;
          found = true;
          clearInterval(poll);
          resolve({ child, value });
          return;
        }
        if (child.exitCode !== null) clearInterval(poll);
      }, 100);
      return;
    }
    const child = spawn(command, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (found) return;
      const value = accept(line);
      if (value !== undefined) {
        found = true;
        // From now on only drain the pipe (so the child never blocks), without parsing: the
        // runner shares the machine with the servers being measured.
        lines.close();
        child.stdout!.resume();
        resolve({ child, value });
      }
    });
    child.on('exit', onExit);
  });
}

export function stopProcess(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  });
}

/**
 * One wrk run: HTTPS POST of `bodyFile`, `connections` keep-alive connections, one thread by
 * default, pinned to `cpus` when given (so it does not take the server's CPU).
 */
export function wrk(url: string, bodyFile: string, options: { connections: number; seconds: number; threads?: number; cpus?: string }): WrkResult {
  const args = [`-t${options.threads ?? 1}`, `-c${options.connections}`, `-d${options.seconds}s`, '--latency', '-s', join(ROOT, 'bench', 'post.lua'), url];
  const output = options.cpus
    ? execFileSync('taskset', ['-c', options.cpus, 'wrk', ...args], { env: { ...process.env, BODY: bodyFile }, encoding: 'utf8' })
    : execFileSync('wrk', args, { env: { ...process.env, BODY: bodyFile }, encoding: 'utf8' });
  const json = output.split('\n').find((line) => line.startsWith('{"requests"'));
  if (!json) throw new Error(`wrk printed no summary:\n${output}`);
  const parsed = JSON.parse(json) as Omit<WrkResult, 'rps'>;
  return { ...parsed, rps: parsed.requests / (parsed.durationUs / 1e6) };
}

/** CPU time (user + system) a process has used so far, in microseconds, from /proc. */
export function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function machine(): string {
  const cpus = execFileSync('nproc', { encoding: 'utf8' }).trim();
  // The load average says how much else ran on the machine meanwhile (other jobs share it).
  return `${cpus} cores, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}, ${new Date().toISOString()}`;
}

/**
 * What the HTTP benchmarks share: the bench pod's images in the registry, one certificate, and the
 * AdmissionReview file wrk posts.
 */
export async function httpBenchSetup(registry: HarnessRegistry, name: string) {
  const pod = await benchPod(registry, name);
  const certs = writeCertificates();
  const bodyFile = join(certs.dir, 'review.json');
  writeFileSync(bodyFile, JSON.stringify(admissionReview(pod)));
  return { pod, certs, bodyFile };
}

/**
 * The benchmarks' workload: a 3-container pod (app, sidecar, init container) whose images are
 * pushed to the real registry, non-root through the pod's securityContext, so it is allowed.
 */
export async function benchPod(registry: HarnessRegistry, name: string): Promise<Record<string, unknown>> {
  const repository = uniqueRepository(name);
  const images: string[] = [];
  for (const [i, user] of ['65532', '1000', ''].entries()) {
    await pushTo(registry, repository, `c${i}`, buildImage({ user, layers: [{ sizeBytes: 2048, seed: `${name}-${i}` }] }));
    images.push(`${registry.host}/${repository}:c${i}`);
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'bench', labels: { app: 'bench' } },
    spec: {
      securityContext: { runAsNonRoot: true, runAsUser: 1000 },
      initContainers: [{ name: 'init', image: images[2] }],
      containers: [
        { name: 'app', image: images[0] },
        { name: 'sidecar', image: images[1] },
      ],
    },
  };
}
