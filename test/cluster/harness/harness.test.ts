// Proves the cluster harness: the control plane that global-setup started is a working
// kube-apiserver that kubectl, @kubernetes/client-node and an admission webhook on loopback can
// all talk to, and it refuses clients without the admin certificate.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { request, Agent } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { createCertificateAuthority, issueCertificate } from './certificates.js';
import './provided-context.js';

const execFileAsync = promisify(execFile);
const controlPlane = inject('controlPlane');

/** Runs kubectl against the test cluster; rejects with kubectl's stderr in the message. */
async function kubectl(args: string[], input?: string): Promise<string> {
  const child = execFileAsync(controlPlane.kubectlPath, ['--kubeconfig', controlPlane.kubeconfigPath, ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  try {
    return (await child).stdout;
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    throw new Error(`kubectl ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`, { cause: error });
  }
}

const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

describe('control-plane harness', () => {
  it('is ready: kubectl get --raw /readyz says ok', async () => {
    expect((await kubectl(['get', '--raw', '/readyz'])).trim()).toBe('ok');
  });

  it('serves the version it was built as', async () => {
    const version = JSON.parse(await kubectl(['version', '-o', 'json'])) as { serverVersion?: { gitVersion?: string; major?: string; minor?: string } };
    expect(version.serverVersion?.gitVersion).toBe(controlPlane.kubernetesVersion);
    expect(`v${version.serverVersion?.major}.${version.serverVersion?.minor}`).toBe(controlPlane.kubernetesVersion.replace(/\.\d+$/, ''));
  });

  it('stores a namespace and a ConfigMap created with kubectl, and reads them back', async () => {
    const namespace = uniqueName('harness');
    await kubectl(['create', 'namespace', namespace]);
    await kubectl(['-n', namespace, 'create', 'configmap', 'settings', '--from-literal=greeting=hello']);

    const readBack = JSON.parse(await kubectl(['-n', namespace, 'get', 'configmap', 'settings', '-o', 'json'])) as {
      data?: Record<string, string>;
      metadata: { namespace: string; uid?: string };
    };
    expect(readBack.data).toEqual({ greeting: 'hello' });
    expect(readBack.metadata.namespace).toBe(namespace);
    expect(readBack.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect((await kubectl(['get', 'namespace', namespace, '-o', 'jsonpath={.status.phase}'])).trim()).toBe('Active');
  });

  it('runs a server-side dry run of a Deployment without storing it', async () => {
    const output = JSON.parse(
      await kubectl(['create', 'deployment', 'dry', '--image=registry.example/app:1.0', '--dry-run=server', '-o', 'json']),
    ) as { kind: string; spec: { strategy?: { type?: string }; template: { spec: { containers: { image: string }[] } } } };
    expect(output.kind).toBe('Deployment');
    expect(output.spec.template.spec.containers[0]?.image).toBe('registry.example/app:1.0');
    // Defaulted by the API server, not by kubectl: the request reached the server.
    expect(output.spec.strategy?.type).toBe('RollingUpdate');
    await expect(kubectl(['get', 'deployment', 'dry'])).rejects.toThrow(/NotFound|not found/);
  });

  it('writes a kubeconfig that @kubernetes/client-node loads and uses', async () => {
    const namespace = uniqueName('client-node');
    await kubectl(['create', 'namespace', namespace]);
    const config = new KubeConfig();
    config.loadFromFile(controlPlane.kubeconfigPath);
    expect(config.getCurrentCluster()?.server).toBe(controlPlane.server);
    const core = config.makeApiClient(CoreV1Api);
    const read = await core.readNamespace({ name: namespace });
    expect(read.metadata?.name).toBe(namespace);
  });

  it('refuses a client without the admin certificate', async () => {
    const agent = new Agent({ connect: { ca: controlPlane.caPem } });
    try {
      const response = await request(`${controlPlane.server}/api/v1/namespaces`, { dispatcher: agent });
      await response.body.dump();
      // Anonymous requests are authenticated as system:anonymous, which RBAC gives nothing.
      expect([401, 403]).toContain(response.statusCode);
    } finally {
      await agent.close();
    }
  });

  it('calls a validating webhook at an https://127.0.0.1 URL and enforces its answer', async () => {
    const namespace = uniqueName('webhook');
    const ca = createCertificateAuthority('harness-webhook-ca');
    const serving = issueCertificate(ca, { commonName: '127.0.0.1', usage: 'server', ipAddresses: ['127.0.0.1'] });
    const reviewed: string[] = [];
    const webhook: Server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request: { uid: string; name?: string } };
        reviewed.push(review.request.name ?? '');
        const allowed = !(review.request.name ?? '').startsWith('forbidden');
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response: { uid: review.request.uid, allowed, ...(allowed ? {} : { status: { code: 403, message: 'harness webhook says no' } }) },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
    const port = (webhook.address() as AddressInfo).port;
    const configName = `${namespace}-check`;
    try {
      await kubectl(['create', 'namespace', namespace]);
      await kubectl(['label', 'namespace', namespace, `harness-webhook=${namespace}`]);
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'admissionregistration.k8s.io/v1',
          kind: 'ValidatingWebhookConfiguration',
          metadata: { name: configName },
          webhooks: [
            {
              name: 'check.harness.slimguard.io',
              clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: Buffer.from(ca.certPem).toString('base64') },
              rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
              // Only this test's namespace, so the webhook never touches other tests.
              namespaceSelector: { matchLabels: { 'harness-webhook': namespace } },
              failurePolicy: 'Fail',
              sideEffects: 'None',
              admissionReviewVersions: ['v1'],
              timeoutSeconds: 5,
            },
          ],
        }),
      );
      // The API server picks up a new webhook configuration asynchronously: retry until denied.
      let denial = '';
      for (let attempt = 0; attempt < 50 && denial === ''; attempt++) {
        const name = `forbidden-${attempt}`;
        try {
          await kubectl(['-n', namespace, 'create', 'configmap', name, '--from-literal=a=b']);
          await new Promise((resolve) => setTimeout(resolve, 200));
        } catch (error) {
          denial = (error as Error).message;
        }
      }
      expect(denial).toMatch(/admission webhook "check.harness.slimguard.io" denied the request: harness webhook says no/);
      await kubectl(['-n', namespace, 'create', 'configmap', 'allowed', '--from-literal=a=b']);
      expect(reviewed).toContain('allowed');
    } finally {
      await kubectl(['delete', 'validatingwebhookconfiguration', configName, '--ignore-not-found']).catch(() => undefined);
      await new Promise<void>((resolve) => webhook.close(() => resolve()));
    }
  });
});
