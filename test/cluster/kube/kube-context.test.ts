// createKubeContext against the suite's real kube-apiserver: informer caches of Namespaces, Nodes,
// ServiceAccounts and pull Secrets, the caBundle patch, and an API server that goes away.
// Every name is unique per run (the API server is shared with the other test files), and every
// wait polls with a deadline rather than sleeping.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCertificateAuthority } from '../../../src/certs/certificates.js';
import { CoreV1Api, KubeConfig, type V1Secret } from '@kubernetes/client-node';
import {
  createInformerCache,
  createKubeContext,
  excludingNamespaces,
  GuardedWatch,
  KubeError,
  type KubeContext,
} from '../../../src/kube/index.js';
import type { Platform } from '../../../src/oci/types.js';
import { eventually } from '../harness/eventually.js';
import { createKubectl } from '../harness/kubectl.js';
import '../harness/provided-context.js';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.js';

const controlPlane = inject('controlPlane');
const runId = randomBytes(3).toString('hex');
const unique = (prefix: string): string => `${prefix}-${runId}-${randomBytes(2).toString('hex')}`;

function kubectl(args: string[], input?: string, kubeconfig = controlPlane.kubeconfigPath): Promise<string> {
  return createKubectl({ kubectlPath: controlPlane.kubectlPath, kubeconfigPath: kubeconfig }).ok(args, input);
}

const apply = (manifest: object): Promise<string> => kubectl(['apply', '-f', '-'], JSON.stringify(manifest));

type LogLine = { level: number; msg: string; [key: string]: unknown };
function logCapture() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
}

const workDir = mkdtempSync(join(tmpdir(), 'slimguard-kube-test-'));
const log = logCapture();
let kube: KubeContext;
const excludedNamespace = unique('excluded');

beforeAll(async () => {
  kube = await createKubeContext({
    kubeconfigPath: controlPlane.kubeconfigPath,
    inCluster: 'auto',
    logger: log.logger,
    pullSecrets: true,
    excludedNamespaces: [excludedNamespace, 'kube-system'],
    retry: { initialDelayMs: 100, maxDelayMs: 1000 },
  });
});

afterAll(async () => {
  await kube?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('KubeContext against a real API server', () => {
  it('connects with the kubeconfig and syncs every informer (field selectors accepted)', async () => {
    expect(kube.enabled).toBe(true);
    expect(kube.source).toContain(controlPlane.kubeconfigPath);
    expect(await kube.waitForSync(30_000)).toBe(true);
    expect(kube.synced()).toBe(true);
    const on = log.lines.find((line) => line.msg === 'kube features on');
    expect(on?.['informers']).toEqual([
      'namespaces',
      'nodes',
      'serviceaccounts',
      'secrets (kubernetes.io/dockerconfigjson)',
      'secrets (kubernetes.io/dockercfg)',
    ]);
    expect(log.lines.filter((line) => line.level >= 40)).toEqual([]);
  });

  it('reflects namespace labels at creation and after kubectl label', async () => {
    const name = unique('labels');
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'slimguard.io/mode': 'warn', team: 'a' } } });
    const created = await eventually(() => kube.namespaceLabels(name), (labels) => labels?.['slimguard.io/mode'] === 'warn', 'the new namespace');
    // The API server adds its own immutable name label.
    expect(created).toEqual({ 'slimguard.io/mode': 'warn', team: 'a', 'kubernetes.io/metadata.name': name });

    await kubectl(['label', 'namespace', name, 'slimguard.io/mode=enforce', '--overwrite']);
    await kubectl(['label', 'namespace', name, 'team-']);
    const changed = await eventually(
      () => kube.namespaceLabels(name),
      (labels) => labels?.['slimguard.io/mode'] === 'enforce' && !('team' in (labels ?? {})),
      'the relabelled namespace',
    );
    expect(changed).toEqual({ 'slimguard.io/mode': 'enforce', 'kubernetes.io/metadata.name': name });
    expect(kube.namespaceLabels(unique('never-created'))).toBeUndefined();
  });

  it('counts node platforms from status.nodeInfo, falling back to labels, most common first', async () => {
    // Architectures no other test uses, so the other files' nodes (if any) cannot interfere.
    const mine = (platforms: Platform[]) => platforms.filter((p) => ['s390x', 'riscv64', 'ppc64le'].includes(p.architecture));
    const labelsOnly = unique('node-labels');
    const withInfo = [unique('node-info'), unique('node-info')];
    const nodeManifest = (name: string, arch: string) => ({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': arch } },
    });
    try {
      await apply(nodeManifest(labelsOnly, 's390x'));
      for (const name of withInfo) {
        // Labels say ppc64le, the kubelet-reported nodeInfo says riscv64: nodeInfo wins.
        await apply(nodeManifest(name, 'ppc64le'));
        // status is a subresource: a create or apply of the Node does not set it.
        await kubectl([
          'patch',
          'node',
          name,
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify({ status: { nodeInfo: { operatingSystem: 'linux', architecture: 'riscv64' } } }),
        ]);
      }
      expect(await eventually(() => mine(kube.nodePlatforms()), (p) => p.length === 2, 'both node platforms')).toEqual([
        { os: 'linux', architecture: 'riscv64' },
        { os: 'linux', architecture: 's390x' },
      ]);

      await kubectl(['delete', 'node', ...withInfo, '--wait=false']);
      expect(await eventually(() => mine(kube.nodePlatforms()), (p) => p.length === 1, 'the deletion of two nodes')).toEqual([
        { os: 'linux', architecture: 's390x' },
      ]);
    } finally {
      await kubectl(['delete', 'node', labelsOnly, ...withInfo, '--ignore-not-found', '--wait=false']);
    }
    await eventually(() => mine(kube.nodePlatforms()), (p) => p.length === 0, 'the deletion of every test node');
  });

  it("finds the ServiceAccount's pull secrets for exactly their registry host, and reports missing ones", async () => {
    const namespace = unique('pull');
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await kubectl([
      '-n', namespace, 'create', 'secret', 'docker-registry', 'regcred',
      '--docker-server=registry.test:5000', '--docker-username=robot', '--docker-password=s3cr3t:with-colon',
    ]);
    // Referenced but of another type: not watched, so reported missing (kubelet skips it too).
    await kubectl(['-n', namespace, 'create', 'secret', 'generic', 'opaque', '--from-literal=x=y']);
    await apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'builder', namespace },
      imagePullSecrets: [{ name: 'regcred' }, { name: 'not-there' }, { name: 'opaque' }],
    });

    const request = { namespace, serviceAccountName: 'builder', imagePullSecrets: [] };
    const found = await eventually(() => kube.keychainFor(request), (r) => r.usedSecrets.length === 1, 'the pull secret');
    expect(found.usedSecrets).toEqual([`${namespace}/regcred`]);
    expect(found.missingSecrets).toEqual(['not-there', 'opaque']);
    expect(found.invalidSecrets).toEqual([]);
    expect(await found.keychain?.resolve('registry.test:5000')).toEqual({ username: 'robot', password: 's3cr3t:with-colon' });
    expect(await found.keychain?.resolve('registry.test')).toBeUndefined();
    expect(await found.keychain?.resolve('registry.test:5001')).toBeUndefined();

    // The secret that was missing appears (a legacy dockercfg one): the watch brings it in.
    const dockercfg = { 'other.test': { auth: Buffer.from('legacy:pw').toString('base64') } };
    await apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'not-there', namespace },
      type: 'kubernetes.io/dockercfg',
      data: { '.dockercfg': Buffer.from(JSON.stringify(dockercfg)).toString('base64') },
    });
    const later = await eventually(() => kube.keychainFor(request), (r) => r.usedSecrets.length === 2, 'the late secret');
    expect(later.missingSecrets).toEqual(['opaque']);
    expect(await later.keychain?.resolve('other.test')).toEqual({ username: 'legacy', password: 'pw' });

    // The pod's own list replaces the ServiceAccount's (the ServiceAccount admission plugin's rule).
    const own = kube.keychainFor({ ...request, imagePullSecrets: ['not-there'] });
    expect(own.usedSecrets).toEqual([`${namespace}/not-there`]);
    expect(await own.keychain?.resolve('registry.test:5000')).toBeUndefined();

    // A malformed docker config secret is skipped and reported, its content never logged.
    await apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'broken', namespace },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths": {"x.test": {"auth": "%%leak%%"}}}').toString('base64') },
    });
    const broken = await eventually(
      () => kube.keychainFor({ namespace, imagePullSecrets: ['broken'] }),
      (r) => r.invalidSecrets.length === 1,
      'the malformed secret',
    );
    expect(broken.keychain).toBeUndefined();
    expect(JSON.stringify(log.lines)).not.toContain('%%leak%%');
    expect(JSON.stringify(log.lines)).not.toContain('s3cr3t');
  });

  it('does not cache Secrets of excluded namespaces (the field selector the API server applies)', async () => {
    // The same selector the context's Secret informers use, on a cache of its own, so what the
    // API server sends can be looked at: keychainFor does not even look in an excluded namespace.
    const fieldSelector = excludingNamespaces([excludedNamespace], 'type=kubernetes.io/dockerconfigjson')!;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(controlPlane.kubeconfigPath);
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const secrets = createInformerCache<V1Secret>({
      name: 'secrets (test)',
      path: '/api/v1/secrets',
      fieldSelector,
      list: () => core.listSecretForAllNamespaces({ fieldSelector }),
      watch: new GuardedWatch(kubeConfig),
      logger: log.logger,
    });
    const watched = unique('watched');
    const createRegcred = (namespace: string, name: string) =>
      kubectl(['-n', namespace, 'create', 'secret', 'docker-registry', name, '--docker-server=x.test', '--docker-username=a', '--docker-password=b']);
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: excludedNamespace } });
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: watched } });
    await createRegcred(excludedNamespace, 'listed');
    await createRegcred(watched, 'listed');
    await kubectl(['-n', watched, 'create', 'secret', 'generic', 'opaque', '--from-literal=x=y']);
    secrets.start();
    try {
      await secrets.whenSynced();
      expect(secrets.get('listed', watched)).toBeDefined();
      expect(secrets.get('listed', excludedNamespace)).toBeUndefined();
      expect(secrets.get('opaque', watched)).toBeUndefined();
      // Through the watch too: the excluded one is created first, so once the watched one has
      // arrived, the excluded one would have as well.
      await createRegcred(excludedNamespace, 'watched');
      await createRegcred(watched, 'watched');
      await eventually(() => secrets.get('watched', watched), (secret) => secret !== undefined, 'the watched secret');
      expect(secrets.get('watched', excludedNamespace)).toBeUndefined();
      expect(secrets.list().every((secret) => secret.type === 'kubernetes.io/dockerconfigjson' && secret.metadata?.namespace !== excludedNamespace)).toBe(true);
    } finally {
      await secrets.stop();
    }
    // And the context reports nothing missing there.
    expect(kube.keychainFor({ namespace: excludedNamespace, imagePullSecrets: ['listed'] })).toEqual({
      usedSecrets: [],
      missingSecrets: [],
      invalidSecrets: [],
    });
    await eventually(() => kube.keychainFor({ namespace: watched, imagePullSecrets: ['listed'] }), (r) => r.usedSecrets.length === 1, 'the context to see the watched secret');
  });

  it("patches every webhook entry's caBundle and reads it back", async () => {
    const name = unique('slimguard-test');
    const webhook = (hookName: string, caBundle?: string) => ({
      name: hookName,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      failurePolicy: 'Ignore',
      timeoutSeconds: 1,
      clientConfig: { url: 'https://127.0.0.1:1/validate', ...(caBundle === undefined ? {} : { caBundle }) },
      // Matches no namespace: this configuration must never affect the other tests.
      namespaceSelector: { matchLabels: { [`slimguard-test/${runId}`]: 'never' } },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }],
    });
    const oldBundle = Buffer.from(createCertificateAuthority({ commonName: 'old', validityDays: 1 }).certPem).toString('base64');
    await apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name },
      webhooks: [webhook('pods.slimguard.io'), webhook('workloads.slimguard.io', oldBundle)],
    });
    try {
      const ca = createCertificateAuthority({ commonName: 'slimguard CA', validityDays: 1 });
      expect(await kube.patchWebhookCaBundle({ name, caBundlePem: ca.certPem })).toEqual({ webhooks: 2, changed: true });

      const readBack = JSON.parse(await kubectl(['get', 'validatingwebhookconfiguration', name, '-o', 'json'])) as {
        webhooks: { name: string; clientConfig: { caBundle?: string; url?: string } }[];
      };
      const expected = ca.certPem.replace(/\r\n/g, '\n').trimEnd() + '\n';
      expect(readBack.webhooks.map((w) => w.name)).toEqual(['pods.slimguard.io', 'workloads.slimguard.io']);
      for (const entry of readBack.webhooks) {
        expect(Buffer.from(entry.clientConfig.caBundle ?? '', 'base64').toString('utf8')).toBe(expected);
        expect(entry.clientConfig.url).toBe('https://127.0.0.1:1/validate');
      }
      expect(await kube.patchWebhookCaBundle({ name, caBundlePem: ca.certPem })).toEqual({ webhooks: 2, changed: false });
    } finally {
      await kubectl(['delete', 'validatingwebhookconfiguration', name, '--ignore-not-found']);
    }

    const missing = await kube.patchWebhookCaBundle({ name: unique('absent'), caBundlePem: createCertificateAuthority({ commonName: 'x', validityDays: 1 }).certPem }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KubeError);
    expect((missing as KubeError).code).toBe('WEBHOOK_CONFIGURATION_NOT_FOUND');
    expect((missing as KubeError).statusCode).toBe(404);
  });
});

describe('KubeContext when the API server goes away', () => {
  let proxy: TcpProxy;
  let viaProxy: KubeContext;
  const proxyLog = logCapture();

  beforeAll(async () => {
    const target = new URL(controlPlane.server);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    const kubeconfig = join(workDir, 'via-proxy.kubeconfig');
    writeFileSync(kubeconfig, readFileSync(controlPlane.kubeconfigPath, 'utf8').replaceAll(controlPlane.server, proxy.url));
    viaProxy = await createKubeContext({
      kubeconfigPath: kubeconfig,
      logger: proxyLog.logger,
      retry: { initialDelayMs: 100, maxDelayMs: 500 },
    });
  });

  afterAll(async () => {
    await viaProxy?.stop();
    await proxy?.close();
  });

  it('keeps serving cached data, logs the failures, and catches up when the API server is back', async () => {
    expect(viaProxy.source).toContain('via-proxy.kubeconfig');
    expect(await viaProxy.waitForSync(30_000)).toBe(true);
    const name = unique('outage');
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { phase: 'before' } } });
    await eventually(() => viaProxy.namespaceLabels(name)?.['phase'], (phase) => phase === 'before', 'the namespace before the outage');

    await proxy.cut();
    // Changed behind the cut (kubectl talks to the API server directly).
    await kubectl(['label', 'namespace', name, 'phase=after', '--overwrite']);
    await eventually(
      () => proxyLog.lines.filter((line) => line.level === 40 && line['informer'] === 'namespaces').length,
      (count) => count >= 2,
      'retries logged while the API server is unreachable',
    );
    // Stale, but served, and the process is still here; readiness does not flap.
    expect(viaProxy.namespaceLabels(name)?.['phase']).toBe('before');
    expect(viaProxy.synced()).toBe(true);
    const warning = proxyLog.lines.find((line) => line.level === 40 && line['informer'] === 'namespaces');
    expect(warning?.msg).toBe('kube informer lost its watch; serving cached objects until it is back');
    expect(String(warning?.['error'])).toMatch(/ECONNREFUSED|ECONNRESET|fetch failed|other side closed|terminated/);

    await proxy.restore();
    await eventually(() => viaProxy.namespaceLabels(name)?.['phase'], (phase) => phase === 'after', 'the change made during the outage', 30_000);
    expect(proxyLog.lines.some((line) => line.msg === 'kube informer recovered' && line['informer'] === 'namespaces')).toBe(true);
  });
});

describe('KubeContext in a pod (service account token, RBAC)', () => {
  it('connects with the mounted token, logs 403s, and syncs once RBAC allows it', async () => {
    // What kubelet mounts into a pod, made by hand: a bound token of a ServiceAccount, the CA, the
    // namespace; plus the two variables kubelet sets. The API server's certificate names 127.0.0.1.
    const namespace = unique('pod-sa');
    const account = 'slimguard';
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: account, namespace } });
    const token = (await kubectl(['-n', namespace, 'create', 'token', account, '--duration=1h'])).trim();
    const serviceAccountDir = mkdtempSync(join(workDir, 'serviceaccount-'));
    writeFileSync(join(serviceAccountDir, 'token'), token);
    writeFileSync(join(serviceAccountDir, 'ca.crt'), controlPlane.caPem);
    writeFileSync(join(serviceAccountDir, 'namespace'), namespace);
    const server = new URL(controlPlane.server);

    const podLog = logCapture();
    const inPod = await createKubeContext({
      logger: podLog.logger,
      env: { KUBERNETES_SERVICE_HOST: server.hostname, KUBERNETES_SERVICE_PORT: server.port, HOME: workDir },
      serviceAccountDir,
      retry: { initialDelayMs: 100, maxDelayMs: 500 },
    });
    const role = unique('slimguard-reader');
    try {
      expect(inPod.source).toBe('in-cluster service account');
      // No RBAC yet: every list is forbidden, logged, and retried.
      const forbidden = await eventually(
        () => podLog.lines.find((line) => line.level === 40 && line['informer'] === 'namespaces'),
        (line) => line !== undefined,
        'a logged 403',
      );
      expect(forbidden?.msg).toBe('kube informer cannot list yet');
      expect(String(forbidden?.['error'])).toMatch(/^HTTP 403: namespaces is forbidden: User "system:serviceaccount:.*" cannot list/);
      expect(JSON.stringify(podLog.lines)).not.toContain(token);
      expect(inPod.synced()).toBe(false);

      await apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: role },
        rules: [{ apiGroups: [''], resources: ['namespaces', 'nodes'], verbs: ['list', 'watch'] }],
      });
      await apply({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: role },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name: account, namespace }],
      });
      expect(await inPod.waitForSync(30_000)).toBe(true);
      expect(inPod.namespaceLabels(namespace)).toEqual({ 'kubernetes.io/metadata.name': namespace });
    } finally {
      await inPod.stop();
      await kubectl(['delete', 'clusterrolebinding,clusterrole', role, '--ignore-not-found']);
    }
  });
});
