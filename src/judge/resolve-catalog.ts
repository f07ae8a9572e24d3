import type { ImageSource } from '../image-facts/image-source.js';
import type { Platform } from '../oci/types.js';
import type { ResolvedCatalogEntry } from '../policy/build-base/types.js';
import type { BuildBaseCatalogEntry } from '../policy/policy.js';

export interface CatalogResolution {
  entries: ResolvedCatalogEntry[];
  /** One line per catalog image that could not be read: the signal is weaker, not broken. */
  problems: string[];
}

/**
 * Reads the layers of the build-base images the policy lists, for the layer-prefix signal.
 * Lookups go through the same cached source as everything else, so after the first image a
 * catalog costs nothing; a base that cannot be read is skipped and reported, never fatal.
 */
export async function resolveCatalog(options: {
  source: ImageSource;
  catalog: readonly BuildBaseCatalogEntry[];
  platform?: Platform;
  signal?: AbortSignal;
  deadline?: number;
}): Promise<CatalogResolution> {
  const settled = await Promise.allSettled(
    options.catalog.map(async (entry) => {
      const facts = await options.source.getFacts({
        reference: entry.reference,
        platform: options.platform,
        signal: options.signal,
        deadline: options.deadline,
      });
      return {
        reference: entry.reference,
        ecosystem: entry.ecosystem,
        diffIds: facts.diffIds,
        layerDigests: facts.layers.map((layer) => layer.digest),
      } satisfies ResolvedCatalogEntry;
    }),
  );
  const entries: ResolvedCatalogEntry[] = [];
  const problems: string[] = [];
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') entries.push(outcome.value);
    else problems.push(`build-base catalog image ${options.catalog[i]!.reference} not read: ${(outcome.reason as Error).message}`);
  });
  return { entries, problems };
}
