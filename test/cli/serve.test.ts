// `slimguard serve` as users run it: the built binary, real HTTPS with a CA the client trusts,
// AdmissionReviews built from kubectl objects, images in the real registry.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate } from '../../src/certs/certificates.js';
import { buildImage } from '../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { admissionReview, deployment } from '../webhook/objects.js';
import { CLI } from './run-cli.js';

const { anonymous } = inject('registries');
let dir: string;
let child: ChildProcess;
let logs: Record<string, unknown>[] = [];
let webhookPort: number;
let metricsPort: number;
let dispatcher: Agent;
let rootImage: string;

const policy = (mode: string) => `apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: ${mode}}\nspec:\n  mode: ${mode}\n`;

async function until(check: () => boolean, what: string, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; logs: ${JSON.stringify(logs.slice(-5))}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function post(body: string, contentType = 'application/json') {
  const response = await request(`https://127.0.0.1:${webhookPort}/validate?timeout=10s`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
    dispatcher,
  });
  const text = await response.body.text();
  return { status: response.statusCode, json: JSON.parse(text) as Record<string, any> };
}

async function metric(pattern: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 'NaN');
}

beforeAll(async () => {
  const repository = uniqueRepository('servecli');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'cli-root' }] }));
  rootImage = `${anonymous.host}/${repository}:root`;
  dir = await mkdtemp(join(tmpdir(), 'slimguard-serve-cli-'));
  const ca = createCertificateAuthority({ commonName: 'test-ca', validityDays: 1 });
  const serving = createServingCertificate({ ca, commonName: '127.0.0.1', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validityDays: 1 });
  await writeFile(join(dir, 'tls.crt'), serving.certPem);
  await writeFile(join(dir, 'tls.key'), serving.keyPem);
  await writeFile(join(dir, 'policy.yaml'), policy('enforce'));
  dispatcher = new Agent({ connect: { ca: ca.certPem } });

  child = spawn(
    process.execPath,
    [CLI, 'serve', '--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--policy', join(dir, 'policy.yaml'), '--insecure-registry', anonymous.host],
    { env: { ...process.env, KUBECONFIG: join(dir, 'no-cluster'), KUBERNETES_SERVICE_HOST: '' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // not a log line
    }
  });
  // Generous: importing the built CLI takes seconds on a loaded 2-core machine.
  await until(() => logs.some((l) => l.msg === 'slimguard serving'), 'the webhook to start', 30_000);
  const serving_ = logs.find((l) => l.msg === 'slimguard serving') as { webhook: { port: number }; metrics: { port: number } };
  webhookPort = serving_.webhook.port;
  metricsPort = serving_.metrics.port;
});

afterAll(async () => {
  if (child.exitCode === null) child.kill('SIGKILL');
  await dispatcher.close();
  await rm(dir, { recursive: true, force: true });
});

describe('slimguard serve (the built binary over HTTPS)', () => {
  it('says kube features are off without a cluster, and is ready', async () => {
    expect(logs.some((l) => String(l.msg).startsWith('kube features off'))).toBe(true);
    const ready = await request(`https://127.0.0.1:${webhookPort}/readyz`, { dispatcher });
    expect(ready.statusCode).toBe(200);
    await ready.body.dump();
  });

  it('denies a root Deployment and logs one decision line', async () => {
    const review = admissionReview(deployment('web', rootImage));
    const { status, json } = await post(JSON.stringify(review));
    expect(status).toBe(200);
    expect(json.response).toMatchObject({ uid: review.request.uid, allowed: false, status: { code: 403 } });
    expect(json.response.status.message).toContain('[runAsRoot]');
    await until(() => logs.some((l) => l.uid === review.request.uid), 'the decision log line', 5_000);
    const line = logs.find((l) => l.uid === review.request.uid)!;
    expect(line).toMatchObject({ decision: 'deny', kind: 'Deployment', namespace: 'team-a', rules: ['runAsRoot'] });
  });

  it('logs exactly one decision line per review in a burst larger than a log batch', async () => {
    // 200 lines of ~450 characters each span more than one of the logger's 64 KiB batches.
    const web = deployment('web', rootImage);
    const reviews = Array.from({ length: 200 }, () => admissionReview(web));
    // Eight at a time, so the burst reuses a few keep-alive connections instead of 120 TLS handshakes.
    const answers: Awaited<ReturnType<typeof post>>[] = [];
    for (let i = 0; i < reviews.length; i += 8) {
      answers.push(...(await Promise.all(reviews.slice(i, i + 8).map((review) => post(JSON.stringify(review))))));
    }
    expect(answers.every((answer) => answer.status === 200 && answer.json.response.allowed === false)).toBe(true);
    const uids = new Set(reviews.map((review) => review.request.uid));
    const decisionLines = () => logs.filter((l) => l.msg === 'admission decision' && uids.has(l.uid as string));
    await until(() => decisionLines().length >= uids.size, 'a decision line for every review', 5_000);
    expect(decisionLines()).toHaveLength(uids.size);
    expect(new Set(decisionLines().map((l) => l.uid)).size).toBe(uids.size);
  });

  it('answers bad input with 4xx and keeps serving', async () => {
    expect((await post('{not json')).status).toBe(400);
    expect((await post('{}', 'text/plain')).status).toBe(415);
    expect((await post(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} }))).status).toBe(400);
    expect((await post('x'.repeat(3 * 1024 * 1024 + 1))).status).toBe(413);
    const again = await post(JSON.stringify(admissionReview(deployment('web', rootImage))));
    expect(again.json.response.allowed).toBe(false);
  });

  it('reloads the policy file live, and keeps the old one when the new one is invalid', async () => {
    await writeFile(join(dir, 'policy.yaml'), policy('warn'));
    await until(() => logs.some((l) => l.msg === 'policy reloaded'), 'the reload');
    const { json } = await post(JSON.stringify(admissionReview(deployment('web', rootImage))));
    expect(json.response.allowed).toBe(true);
    expect(json.response.warnings[0]).toMatch(/^\[runAsRoot\] /);

    await writeFile(join(dir, 'policy.yaml'), policy('warn').replace('mode:', 'mood:'));
    await until(() => logs.some((l) => String(l.msg).startsWith('new policy refused')), 'the refusal');
    expect(await metric(/^slimguard_policy_reload_errors_total (\d+)/m)).toBe(1);
    const still = await post(JSON.stringify(admissionReview(deployment('web', rootImage))));
    expect(still.json.response.allowed).toBe(true);
  });

  it('shuts down gracefully on SIGTERM', async () => {
    // 'close', not 'exit': the last log lines (flushed at exit) may still be in the pipe when 'exit' fires.
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs.slice(-4)).toContainEqual(expect.objectContaining({ msg: 'webhook server stopped', drained: true }));
  });
});
