import { Counter, Gauge, type Registry } from 'prom-client';
import type { CacheStats } from '../image-facts/caching-source.js';

/** What the image facts cache reports: cumulative counts since it was created, and its current size. */
export type CacheStatsSnapshot = CacheStats;

export type CacheStatsProvider = () => CacheStatsSnapshot;

type CumulativeField = 'hits' | 'misses' | 'staleHits' | 'negativeHits';

const COUNTERS: readonly { field: CumulativeField; name: string; help: string }[] = [
  { field: 'hits', name: 'image_cache_hits_total', help: 'Image facts lookups answered from the cache.' },
  { field: 'misses', name: 'image_cache_misses_total', help: 'Image facts lookups that had to read the image source.' },
  {
    field: 'staleHits',
    name: 'image_cache_stale_hits_total',
    help: 'Tag lookups answered past their TTL because revalidation with the registry failed.',
  },
  {
    field: 'negativeHits',
    name: 'image_cache_negative_hits_total',
    help: 'Lookups answered from a cached failure (negative entry) without asking the registry again.',
  },
];

export interface CacheCollector {
  /** Replaces the provider; a new provider's cumulative numbers are counted from zero on top of what was exported. */
  setProvider(provider: CacheStatsProvider | undefined): void;
}

/**
 * Registers the cache metrics, read from the provider when Prometheus scrapes. The cache keeps
 * cumulative numbers, but a prom-client Counter can only be incremented, so each counter's
 * `collect` adds the growth since the last scrape. That keeps the exported series monotonic even
 * when the cache (and its numbers) is replaced, e.g. rebuilt after a policy reload.
 */
export function registerCacheCollector(registry: Registry, prefix: string): CacheCollector {
  let provider: CacheStatsProvider | undefined;
  let lastSeen: Record<CumulativeField, number> = { hits: 0, misses: 0, staleHits: 0, negativeHits: 0 };

  // A provider that throws must not fail the whole scrape: the metrics keep their last values.
  const read = (): CacheStatsSnapshot | undefined => {
    if (provider === undefined) return undefined;
    try {
      return provider();
    } catch {
      return undefined;
    }
  };
  const usable = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

  for (const { field, name, help } of COUNTERS) {
    new Counter({
      name: prefix + name,
      help,
      registers: [registry],
      collect() {
        const current = read()?.[field];
        if (!usable(current)) return;
        const previous = lastSeen[field];
        // A drop means the provider's numbers restarted: everything it now reports is new.
        this.inc(current >= previous ? current - previous : current);
        lastSeen[field] = current;
      },
    });
  }

  new Gauge({
    name: `${prefix}image_cache_entries`,
    help: 'Entries in the image facts cache (facts by digest, tags and negative entries).',
    registers: [registry],
    collect() {
      const entries = read()?.entries;
      if (usable(entries)) this.set(entries);
    },
  });
  new Gauge({
    name: `${prefix}image_cache_size_bytes`,
    help: 'Approximate memory held by the image facts cache.',
    registers: [registry],
    collect() {
      const bytes = read()?.bytes;
      if (usable(bytes)) this.set(bytes);
    },
  });

  return {
    setProvider(next) {
      provider = next;
      lastSeen = { hits: 0, misses: 0, staleHits: 0, negativeHits: 0 };
    },
  };
}
