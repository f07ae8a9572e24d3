import type { PlatformSelector } from '../admission/pod-containers.js';
import type { ImageFacts } from '../image-facts/image-facts.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import type { Platform } from '../oci/types.js';

/**
 * The platform a container will run on, as well as the webhook can know it: the pod's own
 * nodeSelector first, then the cluster's most common node platform, then the policy's.
 */
export function platformForContainer(selector: PlatformSelector, clusterPlatforms: Platform[], policyPlatforms: Platform[]): Platform {
  const fallback = clusterPlatforms[0] ?? policyPlatforms[0] ?? { os: 'linux', architecture: 'amd64' };
  if (!selector.os && !selector.arch) return fallback;
  const matching = clusterPlatforms.find(
    (p) => (!selector.os || p.os === selector.os) && (!selector.arch || p.architecture === selector.arch),
  );
  return matching ?? { os: selector.os ?? fallback.os, architecture: selector.arch ?? fallback.architecture };
}

/** Cluster platforms the image cannot run on: the kubelet would fail to pull it there. */
export function missingPlatforms(facts: ImageFacts, clusterPlatforms: Platform[]): Platform[] {
  // No known node platform (no cluster, or nodes not listed yet): nothing to compare, nothing to format.
  if (clusterPlatforms.length === 0) return [];
  const offered = (facts.availablePlatforms ?? [facts.platform]).map(osArch);
  return clusterPlatforms.filter((platform) => !offered.includes(osArch(platform)));
}

/** Variants are left out: a node reports amd64/arm64 without them, and an image's v8 runs there. */
function osArch(platform: Platform): string {
  const { os, architecture } = normalizePlatform(platform);
  return formatPlatform({ os, architecture });
}
