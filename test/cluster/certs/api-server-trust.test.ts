// Scenario "the real API server trusts it": slimguard serve in bootstrap mode behind a
// ValidatingWebhookConfiguration that has a `url` and no caBundle. Only the bootstrap's caBundle
// patch lets the API server verify the webhook's TLS; a root-image pod being DENIED by the webhook
// proves the call went through. /readyz is 503 until the bootstrapped certificate is served.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import pino from 'pino';
import { startServe, type RunningServe } from '../../../src/cli/serve-command.js';
import { buildImage } from '../../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../../image-facts/helpers.js';
import { call } from '../../http/client.js';
import { bootstrapServeOptions, freePort, kubectl, kubectlJson, uniqueName, waitFor, webhookConfiguration } from './cluster-helpers.js';

const { anonymous } = inject('registries');
const namespace = uniqueName('certs-trust');
const configName = uniqueName('slimguard-trust');
const secretName = 'slimguard-tls';
let rootImage: string;
let port: number;
let starting: Promise<RunningServe>;
let serve: RunningServe | undefined;

/** /readyz over TLS without verifying: before the bootstrap the server holds an untrusted placeholder. */
function readyz(): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', rejectUnauthorized: false, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  const repository = uniqueRepository('certs-trust');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'certs-trust-root' }] }));
  rootImage = `${anonymous.host}/${repository}:root`;
  await kubectl(['create', 'namespace', namespace]);
  await kubectl(['label', 'namespace', namespace, `slimguard-certs=${namespace}`]);
  port = await freePort();
  const policy = join(await mkdtemp(join(tmpdir(), 'slimguard-certs-d-')), 'policy.yaml');
  await writeFile(policy, 'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: certs}\nspec:\n  mode: enforce\n');
  // The webhook configuration does not exist yet: the bootstrap keeps retrying its caBundle patch,
  // and the webhook stays unready meanwhile.
  starting = startServe(
    bootstrapServeOptions(
      {
        secret: secretName,
        namespace,
        service: 'slimguard',
        dnsNames: [],
        ipAddresses: ['127.0.0.1'],
        webhookConfiguration: configName,
        tuning: { retry: { initialDelayMs: 100, maxDelayMs: 500 } },
      },
      { policy, listen: { host: '127.0.0.1', port }, insecureRegistry: [anonymous.host], excludeNamespaces: ['kube-system'] },
    ),
    pino({ level: 'silent' }),
  );
  starting.then((running) => (serve = running), () => undefined);
});

afterAll(async () => {
  await kubectl(['delete', 'validatingwebhookconfiguration', configName, '--ignore-not-found']).catch(() => undefined);
  await (serve ?? (await starting.catch(() => undefined)))?.stop();
  await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
});

describe('bootstrap mode behind a real kube-apiserver', () => {
  it('is unready until its certificate is in place, then the API server calls it over TLS it trusts', async () => {
    const pending = await waitFor('the placeholder server to answer', () => readyz().catch(() => undefined));
    expect(pending.status).toBe(503);
    expect(pending.text).toContain('certificate bootstrap pending');

    await kubectl(['apply', '-f', '-'], { input: JSON.stringify(webhookConfiguration(configName, `https://127.0.0.1:${port}/validate`, namespace)) });
    const running = await starting;
    const configuration = await kubectlJson(['get', 'validatingwebhookconfiguration', configName]);
    const caBundle = Buffer.from(configuration.webhooks[0].clientConfig.caBundle, 'base64').toString('utf8');
    const secret = await kubectlJson(['-n', namespace, 'get', 'secret', secretName]);
    expect(caBundle).toBe(Buffer.from(secret.data['ca.crt'], 'base64').toString('utf8'));
    expect((await call({ port: running.webhookAddress().port, ca: caBundle, path: '/readyz' })).status).toBe(200);

    const pod = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'root', namespace },
      spec: { containers: [{ name: 'app', image: rootImage }] },
    });
    // The API server reloads webhook configurations asynchronously: retry until the webhook answers.
    const denial = await waitFor('the webhook to deny the root pod', async () => {
      const message = await kubectl(['create', '-f', '-'], { input: pod }).then(
        async () => {
          await kubectl(['-n', namespace, 'delete', 'pod', 'root', '--wait=false']);
          return 'created';
        },
        (error: Error) => error.message,
      );
      return message.includes('denied the request') ? message : undefined;
    }, 60_000);
    expect(denial).toContain('admission webhook "images.slimguard.io" denied the request');
    expect(denial).toMatch(/\[runAsRoot\]/);
    expect((await kubectlJson(['-n', namespace, 'get', 'pods'])).items).toEqual([]);
  });
});
