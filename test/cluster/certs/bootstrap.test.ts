// The certificate bootstrapper against the suite's real kube-apiserver: the Secret it creates,
// two replicas racing to create it, a rotation picked up by a running webhook, and RBAC refusing.
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideCertificates, DEFAULT_LIFETIMES, namesOf } from '../../../src/certs/certificate-decision.js';
import { renewCertificates } from '../../../src/certs/certificate-renewal.js';
import { parseCertificateSecret } from '../../../src/certs/certificate-secret-data.js';
import { createCertBootstrap, type CertBootstrapFlags } from '../../../src/cli/cert-bootstrap.js';
import { startServe } from '../../../src/cli/serve-command.js';
import { KubeError } from '../../../src/kube/errors.js';
import { call } from '../../http/client.js';
import { bootstrapServeOptions, captureLog, controlPlane, kubectl, kubectlJson, uniqueName, waitFor, webhookConfiguration } from './cluster-helpers.js';

const DAY = 86_400_000;
const namespace = uniqueName('certs');
const cleanup: string[][] = [];
const decode = (value: string) => Buffer.from(value, 'base64').toString('utf8');

async function readSecret(name: string): Promise<{ type: string; data: Record<string, string>; labels: Record<string, string> }> {
  const secret = await kubectlJson(['-n', namespace, 'get', 'secret', name]);
  return { type: secret.type, labels: secret.metadata.labels ?? {}, data: Object.fromEntries(Object.entries(secret.data as Record<string, string>).map(([k, v]) => [k, decode(v)])) };
}

function flags(secret: string, more: Partial<CertBootstrapFlags> = {}): CertBootstrapFlags {
  return { secret, namespace, service: 'hook', dnsNames: [], ipAddresses: ['127.0.0.1'], kubeconfig: controlPlane.kubeconfigPath, ...more };
}

const serviceNames = {
  commonName: `hook.${namespace}.svc`,
  dnsNames: ['hook', `hook.${namespace}`, `hook.${namespace}.svc`, `hook.${namespace}.svc.cluster.local`],
  ipAddresses: ['127.0.0.1'],
};

/**
 * A Secret written 300 days ago (an injected clock): its 1-year serving certificate has 65 days
 * left, past the renewal point (a third of its lifetime); its 10-year CA is fine.
 */
async function seedDueSecret(name: string): Promise<Record<string, string>> {
  const then = new Date(Date.now() - 300 * DAY);
  const data = renewCertificates({ plan: decideCertificates(undefined, serviceNames, then), parsed: undefined, wanted: serviceNames, now: then, caCommonName: 'seeded-ca' });
  const manifest = {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace },
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
  };
  await kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  return data;
}

beforeAll(async () => {
  await kubectl(['create', 'namespace', namespace]);
});

afterAll(async () => {
  for (const args of cleanup) await kubectl(['delete', ...args, '--ignore-not-found']).catch(() => undefined);
  await kubectl(['delete', 'namespace', namespace, '--wait=false']).catch(() => undefined);
});

describe('certificate bootstrap against a real API server', () => {
  it('creates the Secret, writes the files and patches the caBundle of every webhook entry', async () => {
    const secretName = uniqueName('tls');
    const configName = uniqueName('slimguard-certs');
    cleanup.push(['validatingwebhookconfiguration', configName]);
    // Two entries: every one must get the bundle. The selector matches no namespace.
    await kubectl(['apply', '-f', '-'], { input: JSON.stringify(webhookConfiguration(configName, 'https://127.0.0.1:1/validate', uniqueName('none'), ['a.slimguard.io', 'b.slimguard.io'])) });
    const certDir = await mkdtemp(join(tmpdir(), 'slimguard-certs-a-'));
    const log = captureLog();
    const { bootstrapper } = await createCertBootstrap(flags(secretName, { dnsNames: ['hook.example.test'], webhookConfiguration: configName, certDir }), log.logger);
    try {
      const installed = await bootstrapper.start({ timeoutMs: 30_000 });

      const secret = await readSecret(secretName);
      expect(secret.type).toBe('kubernetes.io/tls');
      expect(Object.keys(secret.data).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
      expect(secret.labels['app.kubernetes.io/managed-by']).toBe('slimguard');
      const serving = new X509Certificate(secret.data['tls.crt']!);
      expect(namesOf(serving)).toEqual({
        dnsNames: ['hook', 'hook.example.test', `hook.${namespace}`, `hook.${namespace}.svc`, `hook.${namespace}.svc.cluster.local`].sort(),
        ipAddresses: ['127.0.0.1'],
      });
      expect(serving.checkIssued(new X509Certificate(secret.data['ca.crt']!))).toBe(true);
      expect(installed.servingSerialNumber).toBe(serving.serialNumber);

      expect(await readFile(join(certDir, 'tls.crt'), 'utf8')).toBe(secret.data['tls.crt']);
      expect(await readFile(join(certDir, 'tls.key'), 'utf8')).toBe(secret.data['tls.key']);
      expect((await stat(join(certDir, 'tls.key'))).mode & 0o777).toBe(0o600);

      const configuration = await kubectlJson(['get', 'validatingwebhookconfiguration', configName]);
      expect(configuration.webhooks.map((webhook: any) => decode(webhook.clientConfig.caBundle))).toEqual([secret.data['ca.crt'], secret.data['ca.crt']]);

      // A helm upgrade re-applies the configuration without caBundle: the watch on it puts the bundle back.
      await kubectl(['patch', 'validatingwebhookconfiguration', configName, '--type=json', '-p', JSON.stringify([{ op: 'remove', path: '/webhooks/1/clientConfig/caBundle' }])]);
      await waitFor('the caBundle to be restored', async () => {
        const webhooks = (await kubectlJson(['get', 'validatingwebhookconfiguration', configName])).webhooks;
        return webhooks[1].clientConfig.caBundle === undefined ? undefined : decode(webhooks[1].clientConfig.caBundle);
      }).then((restored) => expect(restored).toBe(secret.data['ca.crt']));

      // A second pass finds everything in order and writes nothing.
      const before = (await kubectlJson(['-n', namespace, 'get', 'secret', secretName])).metadata.resourceVersion;
      await bootstrapper.reconcile();
      expect((await kubectlJson(['-n', namespace, 'get', 'secret', secretName])).metadata.resourceVersion).toBe(before);
      expect(log.raw.join('\n')).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
    } finally {
      await bootstrapper.stop();
    }
  });

  it('lets two replicas race on create: one Secret, one CA, both serving it', async () => {
    const secretName = uniqueName('race');
    const logs = [captureLog(), captureLog()];
    const dirs = await Promise.all(logs.map(() => mkdtemp(join(tmpdir(), 'slimguard-certs-b-'))));
    const replicas = await Promise.all(logs.map((log, i) => createCertBootstrap(flags(secretName, { certDir: dirs[i] }), log.logger)));
    try {
      const results = await Promise.all(replicas.map(({ bootstrapper }) => bootstrapper.start({ timeoutMs: 30_000 })));
      const secrets = await kubectlJson(['-n', namespace, 'get', 'secrets', '--field-selector', `metadata.name=${secretName}`]);
      expect(secrets.items).toHaveLength(1);
      const secret = await readSecret(secretName);
      expect(results.map((result) => result.servingSerialNumber)).toEqual([
        new X509Certificate(secret.data['tls.crt']!).serialNumber,
        new X509Certificate(secret.data['tls.crt']!).serialNumber,
      ]);
      for (const dir of dirs) expect(await readFile(join(dir, 'tls.crt'), 'utf8')).toBe(secret.data['tls.crt']);
      // Exactly one of them lost the create and took the winner's Secret.
      const lost = logs.map((log) => log.messages().filter((message) => message.startsWith('another replica created the certificate Secret first')).length);
      expect(lost.sort()).toEqual([0, 1]);
    } finally {
      await Promise.all(replicas.map(({ bootstrapper }) => bootstrapper.stop()));
    }
  });

  it('lets two replicas race on renewal: one update wins, the other re-reads and takes it', async () => {
    const secretName = uniqueName('race-update');
    const old = await seedDueSecret(secretName);
    const logs = [captureLog(), captureLog()];
    const dirs = await Promise.all(logs.map(() => mkdtemp(join(tmpdir(), 'slimguard-certs-b2-'))));
    const replicas = await Promise.all(logs.map((log, i) => createCertBootstrap(flags(secretName, { certDir: dirs[i] }), log.logger)));
    try {
      const results = await Promise.all(replicas.map(({ bootstrapper }) => bootstrapper.start({ timeoutMs: 30_000 })));
      const secret = await readSecret(secretName);
      const serial = new X509Certificate(secret.data['tls.crt']!).serialNumber;
      expect(serial).not.toBe(new X509Certificate(old['tls.crt']!).serialNumber);
      expect(secret.data['ca.crt']).toBe(old['ca.crt']);
      expect(results.map((result) => result.servingSerialNumber)).toEqual([serial, serial]);
      const lost = logs.map((log) => log.messages().filter((message) => message === 'the certificate Secret changed meanwhile; deciding again').length);
      expect(lost.sort()).toEqual([0, 1]);
    } finally {
      await Promise.all(replicas.map(({ bootstrapper }) => bootstrapper.stop()));
    }
  });

  it('renews a nearly expired serving certificate with the same CA, and a running webhook serves each rotation', async () => {
    const secretName = uniqueName('rotate');
    const old = await seedDueSecret(secretName);

    const certDir = await mkdtemp(join(tmpdir(), 'slimguard-certs-c-'));
    const serve = await startServe(
      bootstrapServeOptions({ secret: secretName, namespace, service: 'hook', dnsNames: [], ipAddresses: ['127.0.0.1'], certDir, tuning: { retry: { initialDelayMs: 100, maxDelayMs: 1000 } } }),
      pino({ level: 'silent' }),
    );
    try {
      const renewed = await readSecret(secretName);
      expect(renewed.data['ca.crt']).toBe(old['ca.crt']);
      expect(renewed.data['ca.key']).toBe(old['ca.key']);
      const renewedCert = new X509Certificate(renewed.data['tls.crt']!);
      expect(renewedCert.serialNumber).not.toBe(new X509Certificate(old['tls.crt']!).serialNumber);
      expect(new Date(renewedCert.validTo).getTime()).toBeGreaterThan(Date.now() + 360 * DAY);
      expect(await readFile(join(certDir, 'tls.crt'), 'utf8')).toBe(renewed.data['tls.crt']);
      const port = serve.webhookAddress().port;
      const served = await waitFor('the renewed certificate to be served', async () => {
        const response = await call({ port, ca: old['ca.crt']!, path: '/readyz' });
        return response.serialNumber === renewedCert.serialNumber ? response : undefined;
      });
      expect(served.status).toBe(200);

      // Another replica rotates the serving certificate (same CA): the watch brings it here, the
      // files are replaced and the TLS reloader serves it.
      const parsed = parseCertificateSecret(renewed.data);
      const rotated = renewCertificates({ plan: { ...decideCertificates(parsed, serviceNames, new Date()), issueServing: true }, parsed, wanted: serviceNames, now: new Date(), lifetimes: DEFAULT_LIFETIMES, caCommonName: 'unused' });
      const current = await kubectlJson(['-n', namespace, 'get', 'secret', secretName]);
      current.data['tls.crt'] = Buffer.from(rotated['tls.crt']!).toString('base64');
      current.data['tls.key'] = Buffer.from(rotated['tls.key']!).toString('base64');
      await kubectl(['replace', '-f', '-'], { input: JSON.stringify(current) });
      const rotatedSerial = new X509Certificate(rotated['tls.crt']!).serialNumber;
      await waitFor('the rotated certificate to be served', async () => ((await call({ port, ca: old['ca.crt']!, path: '/healthz' })).serialNumber === rotatedSerial ? true : undefined));
      expect(await readFile(join(certDir, 'tls.key'), 'utf8')).toBe(rotated['tls.key']);
      // The Secret was taken as it is: still the rotated pair, not rewritten by this replica.
      expect((await readSecret(secretName)).data['tls.crt']).toBe(rotated['tls.crt']);
      const metrics = await (await fetch(`http://127.0.0.1:${serve.metricsAddress().port}/metrics`)).text();
      const expiry = Number(/slimguard_certificate_expiry_timestamp_seconds\{certificate="serving"\} (\S+)/.exec(metrics)?.[1]);
      expect(expiry).toBe(Math.floor(new Date(new X509Certificate(rotated['tls.crt']!).validTo).getTime() / 1000));
    } finally {
      await serve.stop();
    }
  });

  it('recreates the Secret when it is deleted under a running replica', async () => {
    const secretName = uniqueName('deleted');
    const certDir = await mkdtemp(join(tmpdir(), 'slimguard-certs-del-'));
    const { bootstrapper } = await createCertBootstrap(flags(secretName, { certDir }), captureLog().logger, { retry: { initialDelayMs: 100, maxDelayMs: 500 } });
    try {
      const first = await bootstrapper.start({ timeoutMs: 30_000 });
      await kubectl(['-n', namespace, 'delete', 'secret', secretName]);
      // The watch sees the deletion; the next pass finds no Secret and creates a new one.
      const recreated = await waitFor('the Secret to be recreated', () => kubectlJson(['-n', namespace, 'get', 'secret', secretName]).catch(() => undefined));
      const serial = new X509Certificate(decode(recreated.data['tls.crt'])).serialNumber;
      expect(serial).not.toBe(first.servingSerialNumber);
      await waitFor('the files to follow', async () => ((await readFile(join(certDir, 'tls.crt'), 'utf8')) === decode(recreated.data['tls.crt']) ? true : undefined));
      expect(bootstrapper.current()?.servingSerialNumber).toBe(serial);
    } finally {
      await bootstrapper.stop();
    }
  });

  it('refuses a Secret of another type and says how to fix it', async () => {
    const secretName = uniqueName('opaque');
    await kubectl(['-n', namespace, 'create', 'secret', 'generic', secretName, '--from-literal=note=not a certificate']);
    const { bootstrapper } = await createCertBootstrap(flags(secretName, { certDir: await mkdtemp(join(tmpdir(), 'slimguard-certs-op-')) }), captureLog().logger);
    const failure = await bootstrapper.start({ timeoutMs: 20_000 }).then(() => undefined, (error: unknown) => error);
    await bootstrapper.stop();
    expect((failure as KubeError).code).toBe('SECRET_TYPE_MISMATCH');
    expect((failure as Error).message).toBe(
      `Secret ${namespace}/${secretName} has type Opaque, not kubernetes.io/tls, and a Secret's type cannot change: delete it (kubectl -n ${namespace} delete secret ${secretName}) and slimguard recreates it, or name another Secret`,
    );
  });

  it('fails at once with what to grant when RBAC forbids the Secret', async () => {
    const account = uniqueName('no-rights');
    await kubectl(['-n', namespace, 'create', 'serviceaccount', account]);
    const token = (await kubectl(['-n', namespace, 'create', 'token', account])).trim();
    const dir = await mkdtemp(join(tmpdir(), 'slimguard-certs-e-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: controlPlane.server, 'certificate-authority-data': Buffer.from(controlPlane.caPem).toString('base64') } }],
      users: [{ name: 'u', user: { token } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace } }],
      'current-context': 'x',
    }));
    const log = captureLog();
    // No --cert-namespace: the kubeconfig context's namespace is used.
    const { bootstrapper, namespace: chosen } = await createCertBootstrap(flags('forbidden', { kubeconfig, namespace: undefined, certDir: dir }), log.logger, { retry: { initialDelayMs: 100, maxDelayMs: 200 } });
    expect(chosen).toBe(namespace);
    const failure = await bootstrapper.start({ timeoutMs: 20_000 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await bootstrapper.stop();
    expect(failure).toBeInstanceOf(KubeError);
    expect((failure as KubeError).code).toBe('FORBIDDEN');
    expect((failure as KubeError).statusCode).toBe(403);
    expect((failure as Error).message).toBe(
      `cannot get Secret ${namespace}/forbidden: forbidden for ServiceAccount ${namespace}/${account}. Grant it a Role in namespace ${namespace} with verbs get, watch, update on resource secrets (resourceNames: [forbidden]) and create on secrets, bound to ServiceAccount ${namespace}/${account}`,
    );
    // Not retried: no amount of waiting fixes RBAC.
    expect(log.messages()).not.toContain('certificate bootstrap failed; retrying');
    expect((failure as Error).message).not.toContain(token);
  });
});
