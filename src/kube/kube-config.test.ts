import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeError } from './errors.js';
import { resolveKubeConfig } from './kube-config.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'slimguard-kube-config-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(name: string, options: { server: string; context?: string; token?: string; currentContext?: string | null }): string {
  const context = options.context ?? 'test';
  const current = options.currentContext === null ? '' : `current-context: ${options.currentContext ?? context}\n`;
  const path = join(dir, name);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
${current}clusters:
- name: ${context}-cluster
  cluster:
    server: ${options.server}
users:
- name: ${context}-user
  user:
    token: ${options.token ?? 'not-a-real-token'}
contexts:
- name: ${context}
  context:
    cluster: ${context}-cluster
    user: ${context}-user
`,
  );
  return path;
}

function serviceAccountDir(): string {
  const sa = join(dir, 'serviceaccount');
  mkdirSync(sa);
  writeFileSync(join(sa, 'token'), 'pod-token');
  writeFileSync(join(sa, 'ca.crt'), 'not used before a request');
  return sa;
}

const noPod = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ HOME: join(dir, 'home'), ...extra });

function expectKubeError(run: () => unknown, code: string): KubeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe(code);
    return error as KubeError;
  }
  throw new Error(`expected a KubeError ${code}`);
}

describe('resolveKubeConfig', () => {
  it('is off, with every reason, when there is no kubeconfig and no pod', () => {
    const missing = join(dir, 'missing.yaml');
    const result = resolveKubeConfig({ env: noPod({ KUBECONFIG: missing }), serviceAccountDir: join(dir, 'no-sa') });
    expect(result.enabled).toBe(false);
    if (result.enabled) return;
    expect(result.reason).toContain(`KUBECONFIG names no existing file (${missing})`);
    expect(result.reason).toContain('KUBERNETES_SERVICE_HOST');
  });

  it('does not fall back to ~/.kube/config when KUBECONFIG is set (as kubectl)', () => {
    mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
    writeFileSync(join(dir, 'home', '.kube', 'config'), 'clusters: []');
    const result = resolveKubeConfig({ env: noPod({ KUBECONFIG: join(dir, 'missing') }), serviceAccountDir: join(dir, 'no-sa') });
    expect(result.enabled).toBe(false);
  });

  it('uses ~/.kube/config when KUBECONFIG is unset and not in a pod', () => {
    mkdirSync(join(dir, 'home'));
    const path = kubeconfig('home-config', { server: 'https://127.0.0.1:6443' });
    mkdirSync(join(dir, 'home', '.kube'));
    writeFileSync(join(dir, 'home', '.kube', 'config'), readFileSync(path, 'utf8'));
    const result = resolveKubeConfig({ env: noPod(), serviceAccountDir: join(dir, 'no-sa') });
    expect(result.enabled && result.server).toBe('https://127.0.0.1:6443');
    expect(result.enabled && result.source).toContain(join(dir, 'home', '.kube', 'config'));
  });

  it('uses the files of KUBECONFIG, the first current-context winning', () => {
    const first = kubeconfig('a.yaml', { server: 'https://127.0.0.1:1111', context: 'first' });
    const second = kubeconfig('b.yaml', { server: 'https://127.0.0.1:2222', context: 'second' });
    const result = resolveKubeConfig({ env: noPod({ KUBECONFIG: [join(dir, 'absent'), first, second].join(delimiter) }) });
    expect(result.enabled && result.server).toBe('https://127.0.0.1:1111');
    expect(result.enabled && result.kubeConfig.getContexts().map((c) => c.name)).toEqual(['first', 'second']);
  });

  it('takes the pod service account when in a pod, before ~/.kube/config', () => {
    const sa = serviceAccountDir();
    mkdirSync(join(dir, 'home', '.kube'), { recursive: true });
    writeFileSync(join(dir, 'home', '.kube', 'config'), readFileSync(kubeconfig('c', { server: 'https://127.0.0.1:9' }), 'utf8'));
    const env = noPod({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
    const result = resolveKubeConfig({ env, serviceAccountDir: sa });
    expect(result.enabled && result.source).toBe('in-cluster service account');
    expect(result.enabled && result.server).toBe('https://10.96.0.1:443');
    const cluster = result.enabled ? result.kubeConfig.getCurrentCluster() : null;
    expect(cluster?.caFile).toBe(join(sa, 'ca.crt'));
    const user = result.enabled ? result.kubeConfig.getCurrentUser() : null;
    expect(user?.authProvider).toEqual({ name: 'tokenFile', config: { tokenFile: join(sa, 'token') } });
  });

  it('brackets an IPv6 service host', () => {
    const env = noPod({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' });
    const result = resolveKubeConfig({ env, serviceAccountDir: serviceAccountDir(), inCluster: true });
    expect(result.enabled && result.server).toBe('https://[fd00::1]:443');
  });

  it('is not in a pod without the token file, even with the service variables', () => {
    const env = noPod({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
    const result = resolveKubeConfig({ env, serviceAccountDir: join(dir, 'no-sa') });
    expect(result.enabled).toBe(false);
    expect(!result.enabled && result.reason).toContain(join(dir, 'no-sa', 'token'));
  });

  it('prefers an explicit kubeconfig path, and $KUBECONFIG, over the pod', () => {
    const sa = serviceAccountDir();
    const env = noPod({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
    const explicit = kubeconfig('explicit', { server: 'https://127.0.0.1:3333' });
    expect(resolveKubeConfig({ env, serviceAccountDir: sa, kubeconfigPath: explicit }).enabled).toBe(true);
    const viaEnv = resolveKubeConfig({ env: { ...env, KUBECONFIG: explicit }, serviceAccountDir: sa });
    expect(viaEnv.enabled && viaEnv.server).toBe('https://127.0.0.1:3333');
  });

  it('never uses the pod with inCluster: false, and only the pod with inCluster: true', () => {
    const sa = serviceAccountDir();
    const podEnv = noPod({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' });
    expect(resolveKubeConfig({ env: podEnv, serviceAccountDir: sa, inCluster: false }).enabled).toBe(false);
    const explicit = kubeconfig('explicit', { server: 'https://127.0.0.1:3333' });
    const inPod = resolveKubeConfig({ env: podEnv, serviceAccountDir: sa, inCluster: true, kubeconfigPath: explicit });
    expect(inPod.enabled && inPod.source).toBe('in-cluster service account');
    const error = expectKubeError(() => resolveKubeConfig({ env: noPod(), serviceAccountDir: sa, inCluster: true }), 'NOT_IN_CLUSTER');
    expect(error.message).toContain('KUBERNETES_SERVICE_HOST');
  });

  it('fails on an explicit kubeconfig path that does not exist', () => {
    const error = expectKubeError(() => resolveKubeConfig({ env: noPod(), kubeconfigPath: join(dir, 'nope') }), 'KUBECONFIG_NOT_FOUND');
    expect(error.message).toContain(join(dir, 'nope'));
  });

  it('fails on an unusable kubeconfig without echoing its content', () => {
    const broken = join(dir, 'broken');
    writeFileSync(broken, 'users: [ {name: x, user: {token: "secret-token-123"}\n');
    const error = expectKubeError(() => resolveKubeConfig({ env: noPod(), kubeconfigPath: broken }), 'KUBECONFIG_INVALID');
    expect(error.message).not.toContain('secret-token-123');
    expect(error.cause).toBeUndefined();

    const noContext = kubeconfig('no-context', { server: 'https://127.0.0.1:1', currentContext: null });
    expect(expectKubeError(() => resolveKubeConfig({ env: noPod(), kubeconfigPath: noContext }), 'KUBECONFIG_INVALID').message).toContain(
      'no current-context',
    );
    const wrongContext = kubeconfig('wrong-context', { server: 'https://127.0.0.1:1', currentContext: 'elsewhere' });
    expect(expectKubeError(() => resolveKubeConfig({ env: noPod(), kubeconfigPath: wrongContext }), 'KUBECONFIG_INVALID').message).toContain(
      '"elsewhere" is not defined',
    );
  });

  it('rejects an inCluster value that is not true, false or auto', () => {
    expectKubeError(() => resolveKubeConfig({ inCluster: 'yes' as never }), 'INVALID_OPTION');
  });
});
