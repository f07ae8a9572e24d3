import type { Platform } from '../oci/types.js';
import type { Keychain } from '../registry/keychain.js';

export interface PodCredentialsRequest {
  namespace: string;
  serviceAccountName: string;
  imagePullSecrets: string[];
}

/**
 * What the webhook reads from the cluster, always from informer caches (never a GET per
 * request). With no cluster every answer is the default, so `slimguard serve` runs anywhere.
 */
export interface ClusterView {
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** os/arch of the cluster's nodes, most common first; empty when unknown. */
  nodePlatforms(): Platform[];
  /** The pod's pull secrets (its own and its ServiceAccount's), for their exact registry hosts. */
  keychainFor(request: PodCredentialsRequest): { keychain?: Keychain; missingSecrets: string[] };
}

export const noClusterView: ClusterView = {
  namespaceLabels: () => undefined,
  nodePlatforms: () => [],
  keychainFor: () => ({ missingSecrets: [] }),
};
