import type { V1Node } from '@kubernetes/client-node';
import { formatPlatform } from '../oci/platform.js';
import type { Platform } from '../oci/types.js';

/**
 * The os/architecture a node runs: what its kubelet reports in status.nodeInfo, else its
 * well-known labels (set by the kubelet too, but also on nodes registered by other means).
 * Nodes report no CPU variant (no standard label carries one), so none is given; a platform
 * without variant matches an image's default variant (arm64/v8, amd64/v1) in choosePlatformManifest.
 */
export function platformOfNode(node: V1Node): Platform | undefined {
  const info = node.status?.nodeInfo;
  const labels = node.metadata?.labels ?? {};
  const os = firstNonEmpty(info?.operatingSystem, labels['kubernetes.io/os'], labels['beta.kubernetes.io/os']);
  const architecture = firstNonEmpty(info?.architecture, labels['kubernetes.io/arch'], labels['beta.kubernetes.io/arch']);
  if (os === undefined || architecture === undefined) return undefined;
  return { os: os.toLowerCase(), architecture: architecture.toLowerCase() };
}

/**
 * The distinct platforms of the nodes, the most common first (the platform a pod most likely
 * lands on), ties in name order so the answer does not depend on list order. Nodes whose
 * platform is unknown are left out.
 */
export function clusterPlatforms(nodes: Iterable<V1Node>): Platform[] {
  const counts = new Map<string, { platform: Platform; count: number }>();
  for (const node of nodes) {
    const platform = platformOfNode(node);
    if (platform === undefined) continue;
    const key = formatPlatform(platform);
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { platform, count: 1 });
    else entry.count += 1;
  }
  return [...counts.entries()]
    .sort(([keyA, a], [keyB, b]) => b.count - a.count || (keyA < keyB ? -1 : keyA > keyB ? 1 : 0))
    .map(([, entry]) => entry.platform);
}

function firstNonEmpty(...values: (string | undefined)[]): string | undefined {
  for (const value of values) {
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
  }
  return undefined;
}
