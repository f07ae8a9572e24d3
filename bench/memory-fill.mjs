// Child process of the memory benchmark (bench/memory.run.ts), run with --expose-gc so every
// figure is taken after a full collection. Fills slimguard's real facts cache (the built
// dist/image-facts/caching-source.js) with N distinct images made from one realistic ImageFacts
// template (every digest made unique, so nothing is shared between entries: the worst case),
// and prints one JSON line: RSS and heap per entry, and the cache's own byte count.
//   node --expose-gc bench/memory-fill.mjs TEMPLATE.json ENTRIES [MAX_BYTES]
// (bench/memory.run.ts starts it with the deployed node flags, and once with V8's defaults.)
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createCachingImageSource } from '../dist/image-facts/caching-source.js';

const [templateFile, entriesText, maxBytesText] = process.argv.slice(2);
const template = JSON.parse(readFileSync(templateFile, 'utf8'));
const entries = Number(entriesText);
const maxBytes = maxBytesText ? Number(maxBytesText) : 4 * 1024 * 1024 * 1024;

const hex = (seed) => createHash('sha256').update(seed).digest('hex');
/** The template with every digest replaced by one unique to image `i`, as JSON text (parsed per lookup, like a registry answer). */
function factsText(i) {
  let n = 0;
  return JSON.stringify(template).replace(/sha256:[a-f0-9]{64}/g, () => `sha256:${hex(`${i}/${n++}`)}`);
}

// The image source port: answers from the template instead of a registry, so the benchmark
// measures the cache and not the network. Each answer is freshly parsed, as a registry read is.
const inner = {
  async getFacts(request) {
    const i = Number(request.reference.split('/').pop().split('@')[0].slice(3));
    const facts = JSON.parse(factsText(i));
    facts.reference = request.reference;
    facts.digest = request.reference.split('@')[1];
    return facts;
  },
  async getProvenance() {
    return undefined;
  },
};
const cache = createCachingImageSource({ inner, maxBytes });

function measure() {
  globalThis.gc();
  globalThis.gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external + usage.arrayBuffers };
}

// Digest references: the digest key is all the cache needs, and every one is a distinct image.
const references = Array.from({ length: entries }, (_, i) => `registry.example.com/team/app${i}@sha256:${hex(`top-${i}`)}`);
const before = measure();
let maxSeenBytes = 0;
for (let i = 0; i < entries; i += 1) {
  await cache.getFacts({ reference: references[i] });
  const { bytes } = cache.stats();
  if (bytes > maxSeenBytes) maxSeenBytes = bytes;
}
const after = measure();
const stats = cache.stats();
// Keys per image: an index image is stored under its platform manifest and its index digest.
const keysPerImage = template.indexDigest ? 2 : 1;
const images = Math.round(stats.entries / keysPerImage);
// The most recent images must be hits, not new lookups (probed after measuring).
const hitsBefore = stats.hits;
for (let i = Math.max(0, entries - 1000); i < entries; i += 1) await cache.getFacts({ reference: references[i] });
const heapGrowth = after.heapUsed - before.heapUsed + after.external - before.external;
// What RSS holds beyond the heap: V8 keeps the pages a full GC freed in a pool (still resident)
// until its memory reducer or memory pressure releases them. A last-resort GC (what V8 does near
// its heap limit) empties the pool: RSS after it is what the cache itself keeps.
globalThis.gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
const settledRss = process.memoryUsage().rss;
if (cache.stats().entries !== stats.entries) throw new Error('the cache lost entries in the last-resort GC');
console.log(
  JSON.stringify({
    inserted: entries,
    maxBytes,
    cachedImages: images,
    cacheKeys: stats.entries,
    cacheBytes: stats.bytes,
    maxSeenCacheBytes: maxSeenBytes,
    recentHits: cache.stats().hits - hitsBefore,
    rssBytesPerImage: Math.round((after.rss - before.rss) / images),
    heapBytesPerImage: Math.round(heapGrowth / images),
    rssBytesPerImageAfterPoolRelease: Math.round((settledRss - before.rss) / images),
    heapTotalGrowthBytes: after.heapTotal - before.heapTotal,
    countedBytesPerImage: Math.round(stats.bytes / images),
    rssGrowthBytes: after.rss - before.rss,
    heapGrowthBytes: heapGrowth,
    factsJsonBytes: factsText(0).length,
  }),
);
