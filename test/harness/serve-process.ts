// The built `slimguard serve` as a child process, the way users run it: real HTTPS with a CA the
// client trusts, a policy file, no cluster. Used by the resilience tests, the cold-path benchmark
// and the soak, which all need to look at the process from outside (is it up, how much memory).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { createCertificateAuthority, createServingCertificate } from '../../src/certs/certificates.js';

/**
 * The node flags of the image's ENTRYPOINT, which the chart's Deployment runs (it gives only
 * args; test/chart/deployment.test.ts keeps them equal): serve processes started here run as the
 * deployed one does, so the soak measures the deployed RSS. A fixed young generation: see
 * docs/container-image.md.
 */
export const DEPLOYED_NODE_FLAGS = ['--max-semi-space-size=16', '--min-semi-space-size=16'];

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export interface ServeProcessOptions {
  /** The policy file's YAML. */
  policy: string;
  insecureRegistries: string[];
  /** Extra arguments after `serve`. */
  args?: string[];
}

export interface ReviewAnswer {
  status: number;
  /** The parsed body; undefined when it was not JSON. */
  json: Record<string, any> | undefined;
  text: string;
  elapsedMs: number;
}

export interface ServeProcess {
  child: ChildProcess;
  pid: number;
  webhookPort: number;
  metricsPort: number;
  /** Every JSON log line the process wrote so far. */
  logs: Record<string, unknown>[];
  /** POSTs a body to /validate with `?timeout=`; `timeoutSeconds` also bounds the client's wait (plus 5 s). */
  review(body: unknown, timeoutSeconds?: number): Promise<ReviewAnswer>;
  healthz(): Promise<number>;
  /** The value of one sample of /metrics, e.g. `slimguard_nodejs_heap_size_used_bytes`. */
  metric(name: string): Promise<number>;
  /** Resident set size from /proc, in bytes. */
  rssBytes(): number;
  running(): boolean;
  stop(): Promise<number | null>;
}

/** Policy YAML with every rule in `mode` and the given onRegistryError. */
export function policyYaml(mode: string, onRegistryError: 'allow' | 'deny' = 'allow', extra = ''): string {
  return `apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: ${mode}-${onRegistryError}}\nspec:\n  mode: ${mode}\n  onRegistryError: ${onRegistryError}\n${extra}`;
}

export async function startServeProcess(options: ServeProcessOptions): Promise<ServeProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const dir = await mkdtemp(join(tmpdir(), 'slimguard-serve-process-'));
  const ca = createCertificateAuthority({ commonName: 'serve-process-ca', validityDays: 1 });
  const serving = createServingCertificate({ ca, commonName: '127.0.0.1', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validityDays: 1 });
  await writeFile(join(dir, 'tls.crt'), serving.certPem);
  await writeFile(join(dir, 'tls.key'), serving.keyPem);
  await writeFile(join(dir, 'policy.yaml'), options.policy);
  // Many connections: a burst of reviews must not queue in the client.
  const dispatcher = new Agent({ connect: { ca: ca.certPem }, connections: 256 });

  const args = [CLI, 'serve', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')];
  args.push('--policy', join(dir, 'policy.yaml'), ...options.insecureRegistries.flatMap((host) => ['--insecure-registry', host]), ...(options.args ?? []));
  const child = spawn(process.execPath, [...DEPLOYED_NODE_FLAGS, ...args], {
    env: { ...process.env, KUBECONFIG: join(dir, 'no-cluster'), KUBERNETES_SERVICE_HOST: '', DOCKER_CONFIG: join(dir, 'no-docker-config') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Record<string, unknown>[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
    // Long runs (the soak) would keep every line otherwise.
    if (logs.length > 5_000) logs.splice(0, logs.length - 1_000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const serving_ = await new Promise<{ webhook: { port: number }; metrics: { port: number } }>((resolve, reject) => {
    const timer = setInterval(() => {
      const line = logs.find((l) => l.msg === 'slimguard serving');
      if (line) {
        clearInterval(timer);
        resolve(line as never);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`slimguard serve exited with ${child.exitCode} before serving; logs: ${JSON.stringify(logs.slice(-5))}`));
      }
    }, 25);
  });
  const webhookPort = serving_.webhook.port;
  const metricsPort = serving_.metrics.port;
  const base = `https://127.0.0.1:${webhookPort}`;

  return {
    child,
    pid: child.pid!,
    webhookPort,
    metricsPort,
    logs,
    async review(body, timeoutSeconds = 10) {
      const started = Date.now();
      const response = await request(`${base}/validate?timeout=${timeoutSeconds}s`, {
        method: 'POST',
        body: typeof body === 'string' ? body : JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
        dispatcher,
        // The API server gives up at its timeout; the test waits a little longer to see lateness.
        headersTimeout: (timeoutSeconds + 5) * 1000,
        bodyTimeout: (timeoutSeconds + 5) * 1000,
      });
      const text = await response.body.text();
      let json: Record<string, any> | undefined;
      try {
        json = JSON.parse(text) as Record<string, any>;
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, json, text, elapsedMs: Date.now() - started };
    },
    async healthz() {
      const response = await request(`${base}/healthz`, { dispatcher, headersTimeout: 5_000 });
      await response.body.dump();
      return response.statusCode;
    },
    async metric(name) {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
      if (line === undefined) throw new Error(`metric ${name} not found`);
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    },
    rssBytes() {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return Number(match?.[1]) * 1024;
    },
    running: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      await dispatcher.close();
      await rm(dir, { recursive: true, force: true });
      return code;
    },
  };
}
