import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { sampleValue } from '../../test/metrics/exposition.js';
import { registerCacheCollector, type CacheStatsSnapshot } from './cache-collector.js';

function setup() {
  const registry = new Registry();
  const collector = registerCacheCollector(registry, 'slimguard_');
  const stats: CacheStatsSnapshot = { hits: 0, misses: 0, staleHits: 0, negativeHits: 0, entries: 0, bytes: 0 };
  const scrape = async () => {
    const text = await registry.metrics();
    return {
      hits: sampleValue(text, 'slimguard_image_cache_hits_total'),
      misses: sampleValue(text, 'slimguard_image_cache_misses_total'),
      staleHits: sampleValue(text, 'slimguard_image_cache_stale_hits_total'),
      negativeHits: sampleValue(text, 'slimguard_image_cache_negative_hits_total'),
      entries: sampleValue(text, 'slimguard_image_cache_entries'),
      bytes: sampleValue(text, 'slimguard_image_cache_size_bytes'),
    };
  };
  return { registry, collector, stats, scrape };
}

describe('registerCacheCollector', () => {
  it('exports zeros before a provider is set', async () => {
    const { scrape } = setup();
    expect(await scrape()).toEqual({ hits: 0, misses: 0, staleHits: 0, negativeHits: 0, entries: 0, bytes: 0 });
  });

  it('reads the provider at scrape time: counters follow the cumulative numbers, gauges the current size', async () => {
    const { collector, stats, scrape } = setup();
    collector.setProvider(() => stats);
    Object.assign(stats, { hits: 5, misses: 2, staleHits: 1, negativeHits: 3, entries: 7, bytes: 4096 });
    expect(await scrape()).toEqual({ hits: 5, misses: 2, staleHits: 1, negativeHits: 3, entries: 7, bytes: 4096 });
    Object.assign(stats, { hits: 9, misses: 2, staleHits: 1, negativeHits: 4, entries: 3, bytes: 1024 });
    expect(await scrape()).toEqual({ hits: 9, misses: 2, staleHits: 1, negativeHits: 4, entries: 3, bytes: 1024 });
  });

  it('declares the cumulative numbers as counters and the sizes as gauges', async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    expect(text).toContain('# TYPE slimguard_image_cache_hits_total counter');
    expect(text).toContain('# TYPE slimguard_image_cache_negative_hits_total counter');
    expect(text).toContain('# TYPE slimguard_image_cache_entries gauge');
    expect(text).toContain('# TYPE slimguard_image_cache_size_bytes gauge');
  });

  it('keeps counters monotonic when the provider numbers restart', async () => {
    const { collector, stats, scrape } = setup();
    collector.setProvider(() => stats);
    stats.hits = 10;
    expect((await scrape()).hits).toBe(10);
    stats.hits = 3; // a new cache behind the same provider
    expect((await scrape()).hits).toBe(13);
  });

  it('counts a replaced provider from zero on top of what was exported', async () => {
    const { collector, stats, scrape } = setup();
    collector.setProvider(() => stats);
    stats.misses = 4;
    await scrape();
    collector.setProvider(() => ({ hits: 0, misses: 6, staleHits: 0, negativeHits: 0, entries: 1, bytes: 10 }));
    expect((await scrape()).misses).toBe(10);
  });

  it('keeps the last values when the provider throws or returns garbage, without failing the scrape', async () => {
    const { collector, stats, scrape } = setup();
    collector.setProvider(() => stats);
    Object.assign(stats, { hits: 2, entries: 5 });
    await scrape();
    collector.setProvider(() => {
      throw new Error('cache is gone');
    });
    expect(await scrape()).toMatchObject({ hits: 2, entries: 5 });
    collector.setProvider(() => ({ hits: Number.NaN, misses: -1, staleHits: 0, negativeHits: 0, entries: Infinity, bytes: 0 }));
    expect(await scrape()).toMatchObject({ hits: 2, misses: 0, entries: 5 });
  });
});
