import type { V1Namespace } from '@kubernetes/client-node';
import type { InformerCache } from './informer-cache.js';

/**
 * Labels of a namespace, from the Namespace informer's cache (never a GET per admission request).
 * undefined when the namespace is not (yet) known; a copy, so a caller cannot alter the cache.
 */
export function namespaceLabelsFrom(cache: Pick<InformerCache<V1Namespace>, 'get'>, name: string): Record<string, string> | undefined {
  const namespace = cache.get(name);
  if (namespace === undefined) return undefined;
  return { ...(namespace.metadata?.labels ?? {}) };
}
