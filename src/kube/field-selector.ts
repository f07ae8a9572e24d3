/**
 * A field selector that leaves out the given namespaces, ANDed with further terms
 * ("metadata.namespace!=a,metadata.namespace!=b,type=kubernetes.io/dockercfg"); undefined when
 * there is nothing to select on. Field selectors cannot OR, which is why each pull secret type
 * gets an informer of its own.
 */
export function excludingNamespaces(excludedNamespaces: readonly string[], ...terms: string[]): string | undefined {
  const all = [...new Set(excludedNamespaces)].filter((name) => name !== '').map((name) => `metadata.namespace!=${name}`);
  all.push(...terms.filter((term) => term !== ''));
  return all.length === 0 ? undefined : all.join(',');
}
