// slimguard serve against a real kube-apiserver: the API server calls the webhook over real TLS
// (trusted through the caBundle), kubectl shows what users see, and the namespace override is
// read from the real namespace informer. The full scenario list (helm install, the chart) lives
// with the deploy and end-to-end issues; this file proves the webhook's own behaviour.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate } from '../../../src/certs/certificates.js';
import { startServe, type RunningServe } from '../../../src/cli/serve-command.js';
import { buildImage } from '../../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../../image-facts/helpers.js';
import { deployment } from '../../webhook/objects.js';
import { createKubectl } from '../harness/kubectl.js';

const { kubeconfigPath, kubectlPath } = inject('controlPlane');
const { anonymous } = inject('registries');
const namespace = `serve-${Date.now().toString(36)}`;
const configName = `slimguard-${namespace}`;
let serve: RunningServe;
let rootImage: string;

const { ok: kubectlOk, run: kubectlRun } = createKubectl({ kubectlPath, kubeconfigPath });
const kubectl = (args: string[], input?: string) => kubectlOk(args, input);

/** What kubectl printed on stderr when the request failed; '' when it succeeded. */
async function applyExpectingFailure(args: string[], input: string): Promise<string> {
  const result = await kubectlRun(args, input);
  return result.code === 0 ? '' : result.stderr;
}

beforeAll(async () => {
  const repository = uniqueRepository('serve');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'serve-root' }] }));
  rootImage = `${anonymous.host}/${repository}:root`;

  const dir = await mkdtemp(join(tmpdir(), 'slimguard-serve-'));
  const ca = createCertificateAuthority({ commonName: 'slimguard-test-ca', validityDays: 1 });
  const serving = createServingCertificate({ ca, commonName: '127.0.0.1', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], validityDays: 1 });
  await writeFile(join(dir, 'tls.crt'), serving.certPem);
  await writeFile(join(dir, 'tls.key'), serving.keyPem);
  await writeFile(
    join(dir, 'policy.yaml'),
    'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: e2e}\nspec:\n  mode: enforce\n',
  );
  serve = await startServe(
    {
      policy: join(dir, 'policy.yaml'),
      listen: { host: '127.0.0.1', port: 0 },
      metricsListen: { host: '127.0.0.1', port: 0 },
      tlsCert: join(dir, 'tls.crt'),
      tlsKey: join(dir, 'tls.key'),
      insecureRegistry: [anonymous.host],
      allowPrivateNetworks: false,
      kubeconfig: kubeconfigPath,
      excludeNamespaces: ['kube-system'],
      excludeUsernames: [],
      pullSecrets: false,
      logLevel: 'silent',
      shutdownGraceMs: 2_000,
      shutdownDelayMs: 0,
      version: 'test',
    },
    pino({ level: 'silent' }),
  );

  await kubectl(['create', 'namespace', namespace]);
  await kubectl(['label', 'namespace', namespace, `slimguard-e2e=${namespace}`]);
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: configName },
      webhooks: [
        {
          name: 'images.slimguard.io',
          clientConfig: {
            url: `https://127.0.0.1:${serve.webhookAddress().port}/validate`,
            caBundle: Buffer.from(ca.certPem).toString('base64'),
          },
          rules: [
            { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] },
            { apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] },
          ],
          namespaceSelector: { matchLabels: { 'slimguard-e2e': namespace } },
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 10,
        },
      ],
    }),
  );
});

afterAll(async () => {
  await kubectl(['delete', 'validatingwebhookconfiguration', configName, '--ignore-not-found']).catch(() => undefined);
  await serve?.stop();
});

describe('slimguard serve behind a real kube-apiserver', () => {
  it('denies a Deployment running a root image, at kubectl apply, with the rule and the fix', async () => {
    const object = JSON.stringify(deployment('web', rootImage));
    // The API server picks up a new webhook configuration asynchronously: retry until it answers.
    let message = '';
    for (let attempt = 0; attempt < 50 && !message.includes('slimguard'); attempt += 1) {
      message = await applyExpectingFailure(['-n', namespace, 'apply', '-f', '-'], object);
      if (!message.includes('slimguard')) {
        await kubectl(['-n', namespace, 'delete', 'deployment', 'web', '--ignore-not-found']);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(message).toContain('admission webhook "images.slimguard.io" denied the request');
    expect(message).toMatch(/\[runAsRoot\] .*USER 65532/);
    expect((await kubectl(['-n', namespace, 'get', 'deployments', '-o', 'name'])).trim()).toBe('');
  });

  it('gives a server-side dry run the same verdict and creates nothing', async () => {
    const message = await applyExpectingFailure(['-n', namespace, 'apply', '--dry-run=server', '-f', '-'], JSON.stringify(deployment('dry', rootImage)));
    expect(message).toMatch(/\[runAsRoot\]/);
  });

  it('admits the same Deployment with a warning once the namespace is labelled slimguard.io/mode=warn', async () => {
    await kubectl(['label', 'namespace', namespace, 'slimguard.io/mode=warn']);
    let result: { code: number | null; stderr: string } | undefined;
    for (let attempt = 0; attempt < 50 && result?.code !== 0; attempt += 1) {
      result = await kubectlRun(['-n', namespace, 'apply', '-f', '-'], JSON.stringify(deployment('web', rootImage)));
      // Until the informer has seen the label, the Deployment is still denied.
      if (result.code !== 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(result?.stderr).toMatch(/Warning: \[runAsRoot\] /);
    expect((await kubectl(['-n', namespace, 'get', 'deployment', 'web', '-o', 'name'])).trim()).toBe('deployment.apps/web');
  });

  it('exports the decisions and violations on the metrics port', async () => {
    const response = await fetch(`http://127.0.0.1:${serve.metricsAddress().port}/metrics`);
    const text = await response.text();
    expect(text).toMatch(/slimguard_violations_total\{rule="runAsRoot",mode="enforce"\} [1-9]/);
    expect(text).toMatch(/slimguard_violations_total\{rule="runAsRoot",mode="warn"\} [1-9]/);
    expect(text).toMatch(/slimguard_admission_requests_total\{kind="Deployment",operation="CREATE",decision="deny"\} [1-9]/);
  });
});
