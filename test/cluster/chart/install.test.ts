// A real `helm install` of the chart (default values) into slimguard-chart-test, then upgrade and
// uninstall, against the cluster suite's API server. No kubelet runs here, so the pods never
// start: what is checked is what the API server stores and authorizes. The release is called
// slimguard-chart so its cluster-scoped objects never collide with another suite's `slimguard`.
import { afterAll, describe, expect, inject, it } from 'vitest';
import '../harness/provided-context.js';
import { runCommand } from '../../harness/run-command.js';
import { CHART_DIR } from '../../chart/helm.js';
import { kubectl, kubectlOk } from './kubectl.js';

const NAMESPACE = 'slimguard-chart-test';
const RELEASE = 'slimguard-chart';
const SERVICE_ACCOUNT = `system:serviceaccount:${NAMESPACE}:${RELEASE}`;
const { helmPath, kubeconfigPath } = inject('controlPlane');

function helm(args: string[]) {
  return runCommand(helmPath, [...args, '--kubeconfig', kubeconfigPath]);
}

async function helmOk(args: string[]): Promise<string> {
  const run = await helm(args);
  if (run.code !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${run.code}): ${run.stderr}`);
  return run.stdout;
}

const NAMESPACED = [
  `deployment/${RELEASE}`,
  `service/${RELEASE}`,
  `service/${RELEASE}-metrics`,
  `serviceaccount/${RELEASE}`,
  `configmap/${RELEASE}-policy`,
  `poddisruptionbudget/${RELEASE}`,
  `role/${RELEASE}-certificates`,
  `rolebinding/${RELEASE}-certificates`,
];
const CLUSTER_SCOPED = [`clusterrole/${RELEASE}`, `clusterrolebinding/${RELEASE}`, `validatingwebhookconfiguration/${RELEASE}`];

async function canI(verb: string, resource: string, namespace?: string): Promise<boolean> {
  const run = await kubectl(['auth', 'can-i', verb, resource, '--as', SERVICE_ACCOUNT, ...(namespace ? ['-n', namespace] : [])]);
  return run.stdout.trim() === 'yes';
}

afterAll(async () => {
  // Whatever happened above, leave no webhook configuration behind for the other suites.
  await helm(['uninstall', RELEASE, '-n', NAMESPACE, '--wait']);
  await kubectl(['delete', 'namespace', NAMESPACE, '--wait=false']);
});

describe('helm install / upgrade / uninstall', () => {
  it('installs every object of the default values into the API server', async () => {
    const installed = await helmOk(['install', RELEASE, CHART_DIR, '-n', NAMESPACE, '--create-namespace']);
    // NOTES.txt: what was installed and how to go on to enforce.
    expect(installed).toContain(`slimguard 0.1.0 is installed as ${RELEASE} in namespace ${NAMESPACE}, mode warn.`);
    expect(installed).toContain('--reuse-values --set mode=enforce');
    const status = JSON.parse(await helmOk(['status', RELEASE, '-n', NAMESPACE, '-o', 'json'])) as { info: { status: string } };
    expect(status.info.status).toBe('deployed');

    const namespaced = await kubectlOk(['get', '-n', NAMESPACE, '-o', 'name', ...NAMESPACED]);
    expect(namespaced.trim().split('\n')).toEqual(NAMESPACED.map(qualified));
    const cluster = await kubectlOk(['get', '-o', 'name', ...CLUSTER_SCOPED]);
    expect(cluster.trim().split('\n')).toEqual(CLUSTER_SCOPED.map(qualified));

    const configuration = JSON.parse(await kubectlOk(['get', 'validatingwebhookconfiguration', RELEASE, '-o', 'json']));
    expect(configuration.webhooks[0].clientConfig.service).toEqual({ name: RELEASE, namespace: NAMESPACE, path: '/validate', port: 443 });
    expect(configuration.webhooks[0].matchConditions[0].expression).toBe(`request.userInfo.username != '${SERVICE_ACCOUNT}'`);
  });

  it('authorizes the service account for exactly what bootstrap mode needs', async () => {
    // Allowed: the informers, its own Secret and its own webhook configuration.
    expect(await canI('list', 'namespaces')).toBe(true);
    expect(await canI('watch', 'nodes')).toBe(true);
    expect(await canI('get', `secret/${RELEASE}-tls`, NAMESPACE)).toBe(true);
    expect(await canI('update', `secret/${RELEASE}-tls`, NAMESPACE)).toBe(true);
    expect(await canI('watch', `secret/${RELEASE}-tls`, NAMESPACE)).toBe(true);
    expect(await canI('create', 'secrets', NAMESPACE)).toBe(true);
    expect(await canI('patch', `validatingwebhookconfiguration/${RELEASE}`)).toBe(true);
    // Refused: any other Secret, Secrets elsewhere, other webhook configurations, pods.
    expect(await canI('get', 'secret/other', NAMESPACE)).toBe(false);
    expect(await canI('list', 'secrets', NAMESPACE)).toBe(false);
    expect(await canI('create', 'secrets', 'default')).toBe(false);
    expect(await canI('patch', 'validatingwebhookconfiguration/someone-else')).toBe(false);
    expect(await canI('delete', `validatingwebhookconfiguration/${RELEASE}`)).toBe(false);
    expect(await canI('list', 'serviceaccounts')).toBe(false);
    expect(await canI('create', 'pods', NAMESPACE)).toBe(false);
  });

  it('an upgrade changes the policy ConfigMap and keeps the caBundle slimguard patched in', async () => {
    // What the bootstrap code does at start (branch certs): patch the generated CA into the caBundle.
    const caBundle = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n').toString('base64');
    await kubectlOk(['patch', 'validatingwebhookconfiguration', RELEASE, '--type', 'json', '-p', JSON.stringify([{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: caBundle }])]);

    await helmOk(['upgrade', RELEASE, CHART_DIR, '-n', NAMESPACE, '--set', 'mode=enforce']);
    const policy = JSON.parse(await kubectlOk(['get', 'configmap', `${RELEASE}-policy`, '-n', NAMESPACE, '-o', 'json'])).data['policy.yaml'];
    expect(policy).toMatch(/^ {2}mode: enforce$/m);
    const configuration = JSON.parse(await kubectlOk(['get', 'validatingwebhookconfiguration', RELEASE, '-o', 'json']));
    expect(configuration.webhooks[0].clientConfig.caBundle).toBe(caBundle);
  });

  it('uninstall removes every object', async () => {
    await helmOk(['uninstall', RELEASE, '-n', NAMESPACE, '--wait']);
    const namespaced = await kubectl(['get', '-n', NAMESPACE, '-o', 'name', '--ignore-not-found', ...NAMESPACED]);
    expect(namespaced.stdout.trim()).toBe('');
    const cluster = await kubectl(['get', '-o', 'name', '--ignore-not-found', ...CLUSTER_SCOPED]);
    expect(cluster.stdout.trim()).toBe('');
  });
});

/** `deployment/x` as `kubectl get -o name` prints it: `deployment.apps/x`. */
function qualified(name: string): string {
  const [kind, object] = name.split('/') as [string, string];
  const group: Record<string, string> = {
    deployment: 'apps',
    poddisruptionbudget: 'policy',
    role: 'rbac.authorization.k8s.io',
    rolebinding: 'rbac.authorization.k8s.io',
    clusterrole: 'rbac.authorization.k8s.io',
    clusterrolebinding: 'rbac.authorization.k8s.io',
    validatingwebhookconfiguration: 'admissionregistration.k8s.io',
  };
  return group[kind] ? `${kind}.${group[kind]}/${object}` : `${kind}/${object}`;
}
