import { hash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ByteBoundedLru } from './byte-bounded-lru.js';
import { createFactsCodec } from './compact-facts.js';
import type { ImageFacts } from './image-facts.js';

export interface FactsStoreOptions {
  /** Hard bound on both tiers together, in counted bytes. */
  maxBytes: number;
  /** Facts kept as objects for the warm path (the rest are compact strings). Default 1,000. */
  hotEntries?: number;
}

export interface FactsStore {
  get(key: string): ImageFacts | undefined;
  /** Stores facts under `key`, and under each alias (an index digest naming the same facts). */
  set(key: string, facts: ImageFacts, aliases?: string[]): void;
  /** Distinct keys (facts and aliases) held. */
  size(): number;
  /** Counted bytes of both tiers; never above maxBytes. */
  bytes(): number;
}

/** Per-entry bookkeeping of the hot tier's LRU (its Map slot, index arrays) and of a V8 string header, measured roughly. */
const ENTRY_OVERHEAD_BYTES = 96;
/** Per compact entry: its Map slot (~46 B) and the V8 headers of its key and value strings. */
const COMPACT_ENTRY_OVERHEAD_BYTES = 80;
/** Length of a compact-tier key (shortKey); an entry's value of this length is an alias (see below). */
const SHORT_KEY_LENGTH = 16;
/** Parsed facts cost about twice their JSON length on the V8 heap (measured by bench/memory.run.ts). */
const OBJECT_BYTES_PER_JSON_BYTE = 2;
/** Share of the bound the codec's table of shared strings may take (compact-facts.ts). */
const INTERN_SHARE = 1 / 8;

/**
 * About the JSON length of a value, walked in place: JSON.stringify() here made a ~5 KB string
 * per insert only to take its length, garbage that grew the young generation (and RSS).
 */
function jsonLength(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value !== 'object' || value === null) return 6;
  let length = 2;
  if (Array.isArray(value)) {
    for (const item of value) length += jsonLength(item) + 1;
    return length;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) length += key.length + 4 + jsonLength(object[key]);
  return length;
}

/**
 * The compact tier's key: 128 bits of SHA-256 of the full key (`name@digest|platform`, ~110
 * characters), 16 latin1 characters. Two keys per index image at ~90 bytes saved each is what brings
 * a golang-like image under 2 KiB; a collision (2^-64 after billions of images) is not a risk.
 */
function shortKey(key: string): string {
  // One-shot hash (no Hash object per call); the 16 bytes as 16 latin1 characters, copied out
  // of the digest buffer (a slice of a longer string would keep that string alive too).
  return hash('sha256', key, 'buffer').toString('latin1', 0, SHORT_KEY_LENGTH);
}

/**
 * A compact-tier value is either a facts encoding or an alias: the short key its facts are stored
 * under, the very string that keys that entry (so an alias costs its own key and a Map slot).
 * They are told apart by length: an encoding holds at least the facts' digest (33 bytes), and
 * set() refuses to store a shorter one.
 */
function isAlias(value: string): boolean {
  return value.length === SHORT_KEY_LENGTH;
}

/**
 * Two tiers under one byte bound. Every image is kept as a compact string (compact-facts.ts):
 * under 1 KB for a golang-like image instead of ~5 KB of objects, so the default 64 MiB holds
 * tens of thousands of images. Images read back are also kept as objects under their full key
 * (the hot tier), so the warm path neither hashes nor decodes, and keeps the same facts object
 * (the verdict memo is keyed by its identity). A new image enters the hot tier only when it is
 * read again, not when it is stored: a stream of images used once (a CI namespace, a burst of
 * new tags) cannot flush the images in use, and their objects die young instead of being
 * promoted and dropped in the old generation, which is what RSS follows (bench/memory.run.ts).
 * An alias (index digest -> platform manifest key) costs its short key and a Map slot.
 */
export function createFactsStore(options: FactsStoreOptions): FactsStore {
  const hotBytes = Math.max(1, Math.floor(options.maxBytes / 4));
  const internBytes = Math.floor(options.maxBytes * INTERN_SHARE);
  const compactBytes = Math.max(1, options.maxBytes - hotBytes - internBytes);
  const codec = createFactsCodec({ maxInternBytes: internBytes });
  const compact = new ByteBoundedLru<string>(compactBytes, (value, key) => key.length + (isAlias(value) ? 0 : value.length) + COMPACT_ENTRY_OVERHEAD_BYTES);
  const hot = new LRUCache<string, ImageFacts>({
    max: options.hotEntries ?? 1_000,
    maxSize: hotBytes,
    sizeCalculation: (facts, key) => Math.max(1, jsonLength(facts) * OBJECT_BYTES_PER_JSON_BYTE + key.length + ENTRY_OVERHEAD_BYTES),
    // Hot hits do not touch the compact tier (that would cost a hash per hit): an image leaving
    // the hot tier is made recent there instead, and stored again if it was evicted meanwhile.
    dispose: (facts, key, reason) => {
      if (reason !== 'evict') return;
      const short = shortKey(key);
      if (compact.get(short) === undefined) store(short, codec.encode(facts));
    },
  });

  function store(short: string, encoding: string): void {
    // Cannot happen for ImageFacts (see isAlias); if it did, not caching is the safe answer.
    if (encoding.length <= SHORT_KEY_LENGTH) compact.delete(short);
    else compact.set(short, encoding);
  }

  function read(short: string, key: string): ImageFacts | undefined {
    let value = compact.get(short);
    // One hop at most: an alias names an encoding's key; one naming another alias is a miss.
    if (value !== undefined && isAlias(value)) value = compact.get(value);
    if (value === undefined || isAlias(value)) return undefined;
    let facts: ImageFacts;
    try {
      facts = codec.decode(value);
    } catch {
      // Cannot happen for strings the codec made; if it did, a miss is the safe answer.
      compact.delete(short);
      return undefined;
    }
    hot.set(key, facts);
    return facts;
  }

  return {
    get: (key) => hot.get(key) ?? read(shortKey(key), key),
    set(key, facts, aliases = []) {
      const short = shortKey(key);
      store(short, codec.encode(facts));
      for (const alias of aliases) {
        const aliasKey = shortKey(alias);
        if (aliasKey !== short) compact.set(aliasKey, short);
      }
    },
    size: () => compact.size,
    bytes: () => hot.calculatedSize + compact.bytes + codec.internBytes(),
  };
}
