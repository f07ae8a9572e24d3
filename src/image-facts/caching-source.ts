import { LRUCache } from 'lru-cache';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import { parseReference, type Reference } from '../reference/index.js';
import type { Keychain } from '../registry/keychain.js';
import { RegistryError } from '../registry/errors.js';
import { withTimeout } from './bounded-signal.js';
import { createFactsStore } from './facts-store.js';
import type { ImageFacts } from './image-facts.js';
import type { FactsRequest, ImageSource, ProvenanceRequest } from './image-source.js';
import { DEFAULT_PLATFORM } from './read-image-facts.js';
import { SingleFlight } from './single-flight.js';

export interface CachingSourceOptions {
  inner: ImageSource & {
    resolveTag?(reference: string, options: { signal: AbortSignal; keychain?: Keychain }): Promise<string>;
  };
  /** Bound on the cached facts, in (estimated) bytes. */
  maxBytes?: number;
  /** How long a tag -> digest answer is trusted before it is revalidated with one HEAD. */
  tagTtlMs?: number;
  /** How long "not found" is remembered, so a typo in a hot Deployment doesn't hammer the registry. */
  negativeTtlMs?: number;
  /** Upper bound on one shared lookup when no caller gave a deadline. */
  lookupTimeoutMs?: number;
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Tag answers served past their TTL because revalidation failed (registry down). */
  staleHits: number;
  negativeHits: number;
  entries: number;
  bytes: number;
}

export interface CachingImageSource extends ImageSource {
  /** Never undefined here: the cache always answers a fresh hit synchronously. */
  peekFacts(request: FactsRequest): ImageFacts | undefined;
  stats(): CacheStats;
}

interface TagEntry {
  digest: string;
  checkedAt: number;
}

/** A parsed reference with its tag key, and the last digest key it needed (the same string object, its hash kept). */
interface PeekKeys {
  ref: Reference;
  tagKey: string;
  digestKey(digest: string, platformKey: string): string;
}

const MEMO_ENTRIES = 10_000;
const DEFAULT_PLATFORM_KEY = formatPlatform(normalizePlatform(DEFAULT_PLATFORM));

function createPeekKeys(ref: Reference, build: (ref: Reference, digest: string, platformKey: string) => string): PeekKeys {
  let last = { digest: '', platformKey: '', key: '' };
  return {
    ref,
    tagKey: `${ref.name}:${ref.tag ?? 'latest'}`,
    digestKey(digest, platformKey) {
      if (last.digest !== digest || last.platformKey !== platformKey) last = { digest, platformKey, key: build(ref, digest, platformKey) };
      return last.key;
    },
  };
}

interface NegativeEntry {
  error: unknown;
  expiresAt: number;
}

/**
 * Facts are immutable per (manifest digest, platform), so they are cached by digest with
 * no TTL, bounded in bytes (LRU). Tags move, so tag -> digest answers have a TTL; a stale
 * one is revalidated with a HEAD and, when the registry is down, still served.
 */
export function createCachingImageSource(options: CachingSourceOptions): CachingImageSource {
  const { inner } = options;
  const now = options.now ?? Date.now;
  const tagTtlMs = options.tagTtlMs ?? 60_000;
  const negativeTtlMs = options.negativeTtlMs ?? 10_000;
  const lookupTimeoutMs = options.lookupTimeoutMs ?? 30_000;

  // Bounded in bytes; most images kept compact, the warm ones as objects (facts-store.ts). The
  // real cost per image is measured by the memory benchmark (bench/memory.run.ts).
  const factsByDigest = createFactsStore({ maxBytes: options.maxBytes ?? 64 * 1024 * 1024 });
  const tags = new LRUCache<string, TagEntry>({ max: 100_000 });
  const negatives = new LRUCache<string, NegativeEntry>({ max: 10_000 });
  const provenance = new LRUCache<string, NonNullable<ImageFacts['provenance']>>({ max: 10_000 });
  const flights = new SingleFlight<ImageFacts>();
  const tagChecks = new SingleFlight<string>();
  const counters = { hits: 0, misses: 0, staleHits: 0, negativeHits: 0 };

  function digestKey(ref: Reference, digest: string, platformKey: string): string {
    return `${ref.name}@${digest}|${platformKey}`;
  }

  function hit(facts: ImageFacts, ref: Reference): ImageFacts {
    counters.hits += 1;
    const reference = ref.toString();
    return facts.reference === reference ? facts : { ...facts, reference };
  }

  async function revalidate(ref: Reference, request: FactsRequest, entry: TagEntry, platformKey: string) {
    const cached = factsByDigest.get(digestKey(ref, entry.digest, platformKey));
    if (!cached || !inner.resolveTag) return undefined;
    try {
      const digest = await tagChecks.run(`${ref.name}:${ref.tag}`, request.signal, (signal) =>
        inner.resolveTag!(ref.toString(), { signal, keychain: request.keychain }),
      );
      if (digest !== entry.digest) return undefined;
      entry.checkedAt = now();
      return hit(cached, ref);
    } catch (error) {
      // Cached facts keep serving while a registry is down; a definite answer does not.
      if ((error as { temporary?: boolean }).temporary) {
        counters.staleHits += 1;
        return hit(cached, ref);
      }
      return undefined;
    }
  }

  function platformKeyOf(request: FactsRequest): string {
    return formatPlatform(normalizePlatform(request.platform ?? DEFAULT_PLATFORM));
  }

  /** The cached facts when they can be served without asking the registry: by digest, or by a tag within its TTL. */
  function freshHit(ref: Reference, platformKey: string, keys?: PeekKeys): ImageFacts | undefined {
    if (ref.digest) {
      const cached = factsByDigest.get(keys ? keys.digestKey(ref.digest, platformKey) : digestKey(ref, ref.digest, platformKey));
      return cached ? hit(cached, ref) : undefined;
    }
    const entry = tags.get(keys ? keys.tagKey : `${ref.name}:${ref.tag ?? 'latest'}`);
    if (!entry || now() - entry.checkedAt >= tagTtlMs) return undefined;
    const cached = factsByDigest.get(keys ? keys.digestKey(entry.digest, platformKey) : digestKey(ref, entry.digest, platformKey));
    return cached ? hit(cached, ref) : undefined;
  }

  // The warm path sees the same few references and platforms on every review: their parsed forms
  // and cache keys are kept, so a hit neither re-parses a reference nor builds (and re-hashes) a
  // new key string. Bounded by clearing, since references come from pod specs anyone can write.
  const peekKeys = new Map<string, PeekKeys>();
  const platformKeys = new Map<string, string>();

  function peekKeysOf(reference: string): PeekKeys | undefined {
    let keys = peekKeys.get(reference);
    if (keys !== undefined) return keys;
    let ref: Reference;
    try {
      ref = parseReference(reference);
    } catch {
      return undefined;
    }
    keys = createPeekKeys(ref, digestKey);
    if (peekKeys.size >= MEMO_ENTRIES) peekKeys.clear();
    peekKeys.set(reference, keys);
    return keys;
  }

  function peekPlatformKey(request: FactsRequest): string {
    const platform = request.platform;
    if (platform === undefined) return DEFAULT_PLATFORM_KEY;
    const { os, architecture, variant = '' } = platform;
    const memoKey = `${os.length}:${os}${architecture.length}:${architecture}${variant}`;
    let key = platformKeys.get(memoKey);
    if (key === undefined) {
      key = platformKeyOf(request);
      if (platformKeys.size >= MEMO_ENTRIES) platformKeys.clear();
      platformKeys.set(memoKey, key);
    }
    return key;
  }

  return {
    peekFacts(request) {
      const keys = peekKeysOf(request.reference);
      return keys && freshHit(keys.ref, peekPlatformKey(request), keys);
    },

    async getFacts(request) {
      let ref: Reference;
      try {
        ref = parseReference(request.reference);
      } catch {
        // Let the inner source produce its own typed error for a bad reference.
        return inner.getFacts(request);
      }
      const platformKey = platformKeyOf(request);
      const cached = freshHit(ref, platformKey);
      if (cached) return cached;
      if (!ref.digest) {
        const entry = tags.get(`${ref.name}:${ref.tag ?? 'latest'}`);
        if (entry) {
          const revalidated = await revalidate(ref, request, entry, platformKey);
          if (revalidated) return revalidated;
        }
      }

      const requestKey = `${ref.toString()}|${platformKey}`;
      const negative = negatives.get(requestKey);
      if (negative && negative.expiresAt > now()) {
        counters.negativeHits += 1;
        throw negative.error;
      }

      counters.misses += 1;
      const flight = flights.run(requestKey, request.signal, async (signal) => {
        try {
          const facts = await withTimeout(signal, lookupTimeoutMs, (bounded) => inner.getFacts({ ...request, signal: bounded }));
          const topDigest = facts.indexDigest ?? facts.digest;
          factsByDigest.set(digestKey(ref, facts.digest, platformKey), facts, facts.indexDigest ? [digestKey(ref, facts.indexDigest, platformKey)] : []);
          if (!ref.digest) tags.set(`${ref.name}:${ref.tag ?? 'latest'}`, { digest: topDigest, checkedAt: now() });
          negatives.delete(requestKey);
          return facts;
        } catch (error) {
          if ((error as { code?: string }).code === 'NOT_FOUND') {
            negatives.set(requestKey, { error, expiresAt: now() + negativeTtlMs });
          }
          throw error;
        }
      });
      return flight.catch((error: unknown) => {
        // The caller's own deadline ended its wait (the shared lookup may go on for others).
        if (request.signal?.aborted && error === request.signal.reason) {
          throw new RegistryError({
            code: 'TIMEOUT',
            registry: ref.domain,
            image: ref.familiarString(),
            what: 'no answer from the registry before the deadline',
            cause: error,
          });
        }
        throw error;
      });
    },

    async getProvenance(request: ProvenanceRequest) {
      const key = request.facts.attestation?.digest;
      if (!key) return undefined;
      const cached = provenance.get(key);
      if (cached) return cached;
      const read = await inner.getProvenance(request);
      if (read) provenance.set(key, read);
      return read;
    },

    stats() {
      return { ...counters, entries: factsByDigest.size(), bytes: factsByDigest.bytes() };
    },
  };
}
