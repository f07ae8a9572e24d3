import type { Logger } from 'pino';
import { createKubeContext } from '../kube/index.js';
import { noClusterView, type ClusterView } from '../webhook/cluster-view.js';

export interface ClusterConnection {
  view: ClusterView;
  synced(): boolean;
  stop(): Promise<void>;
}

/**
 * The cluster, when there is one (in a pod, or a kubeconfig): informers for namespaces, nodes,
 * service accounts and (optionally) pull secrets. Without one, kube features are off and the
 * webhook still serves, with the policy's platforms and no namespace overrides.
 */
export async function connectCluster(options: { kubeconfig?: string; pullSecrets: boolean; logger: Logger }): Promise<ClusterConnection> {
  const kube = await createKubeContext({
    kubeconfigPath: options.kubeconfig,
    pullSecrets: options.pullSecrets,
    logger: options.logger,
  });
  if (!kube.enabled) return { view: noClusterView, synced: () => true, stop: async () => {} };
  return {
    view: {
      namespaceLabels: (namespace) => kube.namespaceLabels(namespace),
      nodePlatforms: () => kube.nodePlatforms(),
      keychainFor: (request) => kube.keychainFor(request),
    },
    synced: () => kube.synced(),
    stop: () => kube.stop(),
  };
}
