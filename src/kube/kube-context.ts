import { CoreV1Api, type V1Namespace, type V1Node, type V1Secret, type V1ServiceAccount } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Platform } from '../oci/types.js';
import { KubeError } from './errors.js';
import { excludingNamespaces } from './field-selector.js';
import { createInformerCache, GuardedWatch, type InformerCache, type RetryOptions } from './informer-cache.js';
import { resolveKubeConfig } from './kube-config.js';
import { namespaceLabelsFrom } from './namespace-labels.js';
import { clusterPlatforms } from './node-platforms.js';
import { createPullSecretResolver, PULL_SECRET_TYPES, type PodCredentialsRequest, type PodPullSecrets } from './pull-secrets.js';
import { patchWebhookCaBundle, type PatchWebhookCaBundleResult } from './webhook-ca-bundle.js';

export interface KubeContextOptions {
  /** An explicit kubeconfig file (`--kubeconfig`); it must exist. */
  kubeconfigPath?: string | undefined;
  /** 'auto' (default): kubeconfig path, $KUBECONFIG, the pod's service account, ~/.kube/config, else off. */
  inCluster?: boolean | 'auto' | undefined;
  logger: Logger;
  /**
   * Watch ServiceAccounts and pull Secrets (cluster-wide list/watch of Secrets, which the chart's
   * RBAC grants only when pull-secret auth is on). Default false: keychainFor finds nothing.
   */
  pullSecrets?: boolean | undefined;
  /** Namespaces the webhook never reviews: their ServiceAccounts and Secrets are not watched. */
  excludedNamespaces?: readonly string[] | undefined;
  /** For tests: the environment to detect the cluster from (default process.env). */
  env?: NodeJS.ProcessEnv | undefined;
  /** For tests: where a pod's service account would be mounted. */
  serviceAccountDir?: string | undefined;
  /** Backoff of the informers after an error (default 1 s doubling to 30 s). */
  retry?: RetryOptions | undefined;
}

export interface KubeContext {
  /** false when there is no cluster: every answer below is then the default. */
  readonly enabled: boolean;
  /** "kubeconfig /path (context x)", "in-cluster service account", or why kube features are off. */
  readonly source: string;
  /** A namespace's labels from the Namespace informer; undefined when unknown (or disabled). */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** Distinct os/arch of the cluster's nodes, most common first; [] when none (or disabled). */
  nodePlatforms(): Platform[];
  /** The pod's image pull credentials (see createPullSecretResolver); nothing when disabled or pullSecrets is off. */
  keychainFor(request: PodCredentialsRequest): PodPullSecrets;
  /** true when every informer has done its first list (always true when disabled). */
  synced(): boolean;
  /** Resolves true once synced, false when timeoutMs passed first. */
  waitForSync(timeoutMs: number): Promise<boolean>;
  /** Sets clientConfig.caBundle of every entry of the ValidatingWebhookConfiguration; throws KUBE_DISABLED when disabled. */
  patchWebhookCaBundle(options: { name: string; caBundlePem: string }): Promise<PatchWebhookCaBundleResult>;
  /** Stops the informers; the caches keep their last content. */
  stop(): Promise<void>;
}

/**
 * The cluster as slimguard sees it: informer caches of Namespaces, Nodes and (with pullSecrets)
 * ServiceAccounts and docker config Secrets, started here and never awaited: the webhook serves at
 * once and readiness waits for `synced()`. Throws only for an explicit configuration that cannot
 * work (a missing --kubeconfig, `inCluster: true` outside a pod, an invalid kubeconfig).
 */
export async function createKubeContext(options: KubeContextOptions): Promise<KubeContext> {
  const { logger } = options;
  const resolution = resolveKubeConfig({
    kubeconfigPath: options.kubeconfigPath,
    inCluster: options.inCluster,
    env: options.env,
    serviceAccountDir: options.serviceAccountDir,
  });
  if (!resolution.enabled) {
    logger.info({ reason: resolution.reason }, `kube features off: ${resolution.reason}`);
    return disabledContext(`off: ${resolution.reason}`);
  }

  const { kubeConfig } = resolution;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const watch = new GuardedWatch(kubeConfig);
  const common = { watch, logger, retry: options.retry };
  const excluded = options.excludedNamespaces ?? [];

  const namespaces = createInformerCache<V1Namespace>({
    ...common,
    name: 'namespaces',
    path: '/api/v1/namespaces',
    list: () => core.listNamespace(),
  });
  const nodes = createInformerCache<V1Node>({
    ...common,
    name: 'nodes',
    path: '/api/v1/nodes',
    list: () => core.listNode(),
  });
  const caches: InformerCache<any>[] = [namespaces, nodes];

  let serviceAccounts: InformerCache<V1ServiceAccount> | undefined;
  const secretCaches: InformerCache<V1Secret>[] = [];
  if (options.pullSecrets === true) {
    const serviceAccountSelector = excludingNamespaces(excluded);
    serviceAccounts = createInformerCache<V1ServiceAccount>({
      ...common,
      name: 'serviceaccounts',
      path: '/api/v1/serviceaccounts',
      fieldSelector: serviceAccountSelector,
      list: () => core.listServiceAccountForAllNamespaces(serviceAccountSelector === undefined ? {} : { fieldSelector: serviceAccountSelector }),
    });
    caches.push(serviceAccounts);
    // One informer per docker config type: a field selector cannot OR, and caching only these keeps
    // TLS keys, tokens and Helm release Secrets out of this process's memory.
    for (const type of PULL_SECRET_TYPES) {
      const fieldSelector = excludingNamespaces(excluded, `type=${type}`)!;
      const secrets = createInformerCache<V1Secret>({
        ...common,
        name: `secrets (${type})`,
        path: '/api/v1/secrets',
        fieldSelector,
        list: () => core.listSecretForAllNamespaces({ fieldSelector }),
      });
      secretCaches.push(secrets);
      caches.push(secrets);
    }
  }

  // nodePlatforms() is asked per admission request; recount only when a Node changes.
  let platforms: Platform[] | undefined;
  nodes.onChange(() => {
    platforms = undefined;
  });

  const resolvePullSecrets =
    serviceAccounts === undefined
      ? undefined
      : createPullSecretResolver({ serviceAccounts, secrets: secretCaches, excludedNamespaces: excluded, logger });

  for (const cache of caches) cache.start();
  logger.info(
    { source: resolution.source, server: resolution.server, informers: caches.map((cache) => cache.name) },
    'kube features on',
  );

  const synced = (): boolean => caches.every((cache) => cache.synced());
  return {
    enabled: true,
    source: resolution.source,
    namespaceLabels: (name) => namespaceLabelsFrom(namespaces, name),
    nodePlatforms() {
      platforms ??= clusterPlatforms(nodes.list());
      return platforms.map((platform) => ({ ...platform }));
    },
    keychainFor: (request) => resolvePullSecrets?.(request) ?? emptyPullSecrets(),
    synced,
    async waitForSync(timeoutMs) {
      if (synced()) return true;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        return await Promise.race([Promise.all(caches.map((cache) => cache.whenSynced())).then(() => true), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    patchWebhookCaBundle: ({ name, caBundlePem }) => patchWebhookCaBundle({ kubeConfig, name, caBundlePem, logger }),
    async stop() {
      await Promise.allSettled(caches.map((cache) => cache.stop()));
    },
  };
}

function disabledContext(source: string): KubeContext {
  return {
    enabled: false,
    source,
    namespaceLabels: () => undefined,
    nodePlatforms: () => [],
    keychainFor: () => emptyPullSecrets(),
    synced: () => true,
    waitForSync: async () => true,
    patchWebhookCaBundle: async () => {
      throw new KubeError('KUBE_DISABLED', `cannot patch a webhook configuration: kube features are ${source}`);
    },
    stop: async () => {},
  };
}

function emptyPullSecrets(): PodPullSecrets {
  return { usedSecrets: [], missingSecrets: [], invalidSecrets: [] };
}
