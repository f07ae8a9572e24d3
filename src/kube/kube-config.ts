import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeError } from './errors.js';

/**
 * Where slimguard finds its cluster. With `inCluster: 'auto'` the order is controller-runtime's
 * (GetConfig): an explicit kubeconfig path, then $KUBECONFIG, then the pod's service account,
 * then ~/.kube/config. An explicit choice beats detection; in a pod the service account beats a
 * home kubeconfig that an image may carry by accident. With nothing found, kube features are off:
 * `slimguard serve` must run anywhere.
 */

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface ResolveKubeConfigOptions {
  /** A kubeconfig file named by the operator (`--kubeconfig`); it must exist. */
  kubeconfigPath?: string | undefined;
  /** true: only the pod's service account; false: never; 'auto' (default): see above. */
  inCluster?: boolean | 'auto' | undefined;
  /** The environment to read KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT and HOME from (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Where the pod's token, ca.crt and namespace are mounted (default SERVICE_ACCOUNT_DIR). */
  serviceAccountDir?: string | undefined;
}

export type KubeConfigResolution =
  | {
      enabled: true;
      kubeConfig: KubeConfig;
      /** "in-cluster service account" or "kubeconfig /path (context x)", for the startup log. */
      source: string;
      /** The API server URL. */
      server: string;
    }
  | { enabled: false; /** Why kube features are off, for the startup log. */ reason: string };

export function resolveKubeConfig(options: ResolveKubeConfigOptions = {}): KubeConfigResolution {
  const env = options.env ?? process.env;
  const mode = options.inCluster ?? 'auto';
  const serviceAccountDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (mode !== true && mode !== false && mode !== 'auto') {
    throw new KubeError('INVALID_OPTION', `inCluster must be true, false or 'auto', not ${JSON.stringify(mode)}`);
  }

  if (mode === true) {
    const pod = detectPod(env, serviceAccountDir);
    if (!pod.inPod) throw new KubeError('NOT_IN_CLUSTER', `in-cluster configuration requested, but ${pod.why}`);
    return inClusterResolution(pod.server, serviceAccountDir);
  }

  const explicit = options.kubeconfigPath;
  if (explicit !== undefined && explicit !== '') {
    if (!existsSync(explicit)) throw new KubeError('KUBECONFIG_NOT_FOUND', `kubeconfig ${explicit} does not exist`);
    return kubeconfigResolution([explicit]);
  }

  const reasons: string[] = [];
  const fromEnv = env['KUBECONFIG'];
  const envFiles = fromEnv === undefined ? [] : fromEnv.split(delimiter).filter((file) => file !== '');
  if (envFiles.length > 0) {
    // kubectl ignores KUBECONFIG entries that do not exist, and never falls back to ~/.kube/config.
    const existing = envFiles.filter((file) => existsSync(file));
    if (existing.length > 0) return kubeconfigResolution(existing);
    reasons.push(`KUBECONFIG names no existing file (${envFiles.join(delimiter)})`);
  } else {
    reasons.push('KUBECONFIG is not set');
  }

  if (mode === 'auto') {
    const pod = detectPod(env, serviceAccountDir);
    if (pod.inPod) return inClusterResolution(pod.server, serviceAccountDir);
    reasons.push(`not in a pod (${pod.why})`);
  }

  if (envFiles.length === 0) {
    const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
    const homeConfig = join(home, '.kube', 'config');
    if (existsSync(homeConfig)) return kubeconfigResolution([homeConfig]);
    reasons.push(`${homeConfig} does not exist`);
  }
  return { enabled: false, reason: reasons.join('; ') };
}

type PodDetection = { inPod: true; server: string } | { inPod: false; why: string };

/** client-go's InClusterConfig test: the service host and port variables and a token file. */
function detectPod(env: NodeJS.ProcessEnv, serviceAccountDir: string): PodDetection {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host === undefined || host === '' || port === undefined || port === '') {
    return { inPod: false, why: 'KUBERNETES_SERVICE_HOST or KUBERNETES_SERVICE_PORT is not set' };
  }
  const tokenFile = join(serviceAccountDir, 'token');
  if (!existsSync(tokenFile)) return { inPod: false, why: `${tokenFile} does not exist` };
  // An IPv6 service address needs brackets in a URL.
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return { inPod: true, server: `https://${urlHost}:${port}` };
}

/**
 * client-node's loadFromCluster, with the environment and directory given rather than read from
 * process.env: the token file is re-read periodically, so rotated (bound) tokens keep working.
 */
function inClusterResolution(server: string, serviceAccountDir: string): KubeConfigResolution {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, caFile: join(serviceAccountDir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: join(serviceAccountDir, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  return { enabled: true, kubeConfig, source: 'in-cluster service account', server };
}

/** Loads kubeconfig files the way kubectl merges them: the first file to set a value wins. */
function kubeconfigResolution(files: readonly string[]): KubeConfigResolution {
  const kubeConfig = new KubeConfig();
  const [first, ...rest] = files as [string, ...string[]];
  loadFile(kubeConfig, first);
  for (const file of rest) {
    const other = new KubeConfig();
    loadFile(other, file);
    // mergeConfig refuses duplicate names; kubectl keeps the first, so drop the later ones.
    const known = (list: readonly { name: string }[], name: string) => list.some((entry) => entry.name === name);
    const additions = new KubeConfig();
    additions.loadFromOptions({
      clusters: other.getClusters().filter((c) => !known(kubeConfig.getClusters(), c.name)),
      users: other.getUsers().filter((u) => !known(kubeConfig.getUsers(), u.name)),
      contexts: other.getContexts().filter((c) => !known(kubeConfig.getContexts(), c.name)),
      currentContext: other.getCurrentContext(),
    });
    kubeConfig.mergeConfig(additions, Boolean(kubeConfig.getCurrentContext()));
  }
  const where = files.join(delimiter);
  const contextName = kubeConfig.getCurrentContext();
  if (!contextName) throw new KubeError('KUBECONFIG_INVALID', `kubeconfig ${where}: no current-context is set`);
  if (kubeConfig.getContextObject(contextName) === null) {
    throw new KubeError('KUBECONFIG_INVALID', `kubeconfig ${where}: current-context ${JSON.stringify(contextName)} is not defined`);
  }
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null || !cluster.server) {
    throw new KubeError('KUBECONFIG_INVALID', `kubeconfig ${where}: context ${JSON.stringify(contextName)} names no cluster with a server`);
  }
  return { enabled: true, kubeConfig, source: `kubeconfig ${where} (context ${contextName})`, server: cluster.server };
}

function loadFile(kubeConfig: KubeConfig, file: string): void {
  try {
    kubeConfig.loadFromFile(file);
  } catch (error) {
    // No cause: a YAML error can quote the text around it, and a kubeconfig holds tokens and keys.
    const code = (error as NodeJS.ErrnoException).code;
    const why = typeof code === 'string' ? `cannot be read (${code})` : 'is not a valid kubeconfig';
    throw new KubeError('KUBECONFIG_INVALID', `kubeconfig ${file} ${why}`);
  }
}
