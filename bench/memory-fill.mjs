// Child process of the memory benchmark (bench/memory.run.ts), run with --expose-gc so every
// figure is taken after a full collection. Fills slimguard's real facts cache (the built
// dist/image-facts/caching-source.js) with N distinct images made from one realistic ImageFacts
// template (every digest made unique, so nothing is shared between entries: the worst case),
// and prints one JSON line: RSS and heap per entry, and the cache's own byte count.
//   node --expose-gc bench/memory-fill.mjs TEMPLATE.json ENTRIES [MAX_BYTES]
// (bench/memory.run.ts starts it with the deployed node flags, and once with V8's defaults.)
import { readFileSync } from 'node:fs';
import { hash } from 'node:crypto';
import { createCachingImageSource } from '../dist/image-facts/caching-source.js';

const [templateFile, entriesText, maxBytesText] = process.argv.slice(2);
const template = JSON.parse(readFileSync(templateFile, 'utf8'));
const entries = Number(entriesText);
const maxBytes = maxBytesText ? Number(maxBytesText) : 4 * 1024 * 1024 * 1024;
const WARMUP_IMAGES = 2_000;
const RECENT_PROBES = 1_000;

// One-shot hashing: a Hash object per digest would pile up native memory until the next GC,
// RSS of the harness rather than of the cache.
const hex = (seed) => hash('sha256', seed);
/** The template with every digest replaced by one unique to image `i`, as JSON text (parsed per lookup, like a registry answer). */
function factsText(i) {
  let n = 0;
  return JSON.stringify(template).replace(/sha256:[a-f0-9]{64}/g, () => `sha256:${hex(`${i}/${n++}`)}`);
}

// The image source port: answers from the template instead of a registry, so the benchmark
// measures the cache and not the network. Each answer is freshly parsed, as a registry read is.
const inner = {
  async getFacts(request) {
    const i = Number(/(\d+)@/.exec(request.reference)[1]);
    const facts = JSON.parse(factsText(i));
    facts.reference = request.reference;
    facts.digest = request.reference.split('@')[1];
    return facts;
  },
  async getProvenance() {
    return undefined;
  },
};

function measure() {
  globalThis.gc();
  globalThis.gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external + usage.arrayBuffers };
}

// Digest references: the digest key is all the cache needs, and every one is a distinct image.
const reference = (prefix, i) => `registry.example.com/team/${prefix}${i}@sha256:${hex(`${prefix}-${i}`)}`;
/** Looks up images `from` to `to` - 1 of `prefix` through `cache`. */
async function lookUp(cache, prefix, from, to, onInsert = () => {}) {
  for (let i = from; i < to; i += 1) {
    await cache.getFacts({ reference: reference(prefix, i) });
    onInsert();
  }
}

// The baseline is a warmed-up process with an empty cache, as a webhook is once it has served
// some reviews: the same work on a cache that is then dropped touches the young generation's
// pages (32 MiB with the deployed flags, resident from then on whatever the cache holds) and
// compiles the code. Without it, those fixed costs were charged to the images (~3 KB each at 10k).
const coldStart = process.memoryUsage().rss;
await lookUp(createCachingImageSource({ inner, maxBytes }), 'warmup', 0, WARMUP_IMAGES);
// The measured cache exists, empty, in the baseline: its fixed tables (the tag LRU's 100k slots)
// are not a cost per image.
const cache = createCachingImageSource({ inner, maxBytes });
const before = measure();

let maxSeenBytes = 0;
await lookUp(cache, 'app', 0, entries, () => {
  const { bytes } = cache.stats();
  if (bytes > maxSeenBytes) maxSeenBytes = bytes;
});
// The most recent images must be hits, not new lookups. Probed before measuring, so the hot
// tier (decoded objects of the images in use) is full and counted.
const hitsBefore = cache.stats().hits;
await lookUp(cache, 'app', Math.max(0, entries - RECENT_PROBES), entries);
const recentHits = cache.stats().hits - hitsBefore;
const after = measure();
const stats = cache.stats();
// Keys per image: an index image is stored under its platform manifest and its index digest.
const keysPerImage = template.indexDigest ? 2 : 1;
const images = Math.round(stats.entries / keysPerImage);
const heapGrowth = after.heapUsed - before.heapUsed + after.external - before.external;
console.log(
  JSON.stringify({
    inserted: entries,
    maxBytes,
    cachedImages: images,
    cacheKeys: stats.entries,
    cacheBytes: stats.bytes,
    maxSeenCacheBytes: maxSeenBytes,
    recentHits,
    rssBytesPerImage: Math.round((after.rss - before.rss) / images),
    heapBytesPerImage: Math.round(heapGrowth / images),
    // For comparison: the same counted from the process's start, fixed costs included.
    rssBytesPerImageFromColdStart: Math.round((after.rss - coldStart) / images),
    heapTotalGrowthBytes: after.heapTotal - before.heapTotal,
    countedBytesPerImage: Math.round(stats.bytes / images),
    rssGrowthBytes: after.rss - before.rss,
    heapGrowthBytes: heapGrowth,
    factsJsonBytes: factsText(0).length,
  }),
);
