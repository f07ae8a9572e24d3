import type { BuildBaseFacts, ResolvedCatalogEntry } from './types.js';

export interface CatalogMatch {
  entry: ResolvedCatalogEntry;
  /** Which list matched: uncompressed diff_ids, or the manifest's compressed layer digests. */
  by: 'diffIds' | 'layerDigests';
  /** How many of the image's layers are the catalog image's. */
  layers: number;
  /** The image's own layer count. */
  of: number;
}

function startsWith(image: readonly string[], base: readonly string[]): boolean {
  if (base.length === 0 || base.length > image.length) return false;
  return base.every((digest, index) => image[index] === digest);
}

/**
 * An image built FROM a catalog image starts with all of that image's layers, in order (FROM copies
 * the layer list; every later instruction appends). diff_ids are compared first, since they survive
 * recompression; compressed digests second, for sources that only know the manifest. An entry with no
 * layers never matches. When several entries match, the one with most layers is the nearest base.
 */
export function matchCatalog(facts: BuildBaseFacts, catalog: readonly ResolvedCatalogEntry[]): CatalogMatch | undefined {
  const layerDigests = facts.layers.map((layer) => layer.digest);
  let best: CatalogMatch | undefined;
  for (const entry of catalog) {
    let match: CatalogMatch | undefined;
    if (startsWith(facts.diffIds, entry.diffIds)) {
      match = { entry, by: 'diffIds', layers: entry.diffIds.length, of: facts.diffIds.length };
    } else if (startsWith(layerDigests, entry.layerDigests)) {
      match = { entry, by: 'layerDigests', layers: entry.layerDigests.length, of: layerDigests.length };
    }
    if (match && (!best || match.layers > best.layers)) best = match;
  }
  return best;
}
