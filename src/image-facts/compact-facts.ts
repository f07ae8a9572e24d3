import type { ImageFacts } from './image-facts.js';
import { combineFingerprint, SeenBefore, stringFingerprint, VALUE_FINGERPRINT_BASIS } from './seen-before.js';

/**
 * ImageFacts as one compact string, with no zlib. The deflate form it replaces cost ~1.4 KB per
 * golang-like image on the heap but ~10x that in RSS: each deflateRawSync() call allocates a
 * ~270 KB zlib state with malloc, and glibc's heap and V8's pages never shrink back after tens of
 * thousands of them (bench/memory.run.ts). This form is a tagged binary encoding of the JSON value
 * written into one reused scratch Buffer, then copied out as a latin1 string (one byte per
 * character on the V8 heap, no object graph for the collector to trace). What makes it small:
 * - `sha256:` digests (16 per golang-like image, 71 characters each) are kept as their 32 bytes;
 * - object keys and the strings images share (history lines, env, labels, media types, platform
 *   names, repositories) are interned once per store and referenced by a varint id. The table is
 *   bounded (`maxInternBytes`, counted in the store's bytes) and never shrinks, since entries
 *   refer to it by id; once it is full, new strings are written inline. So only a string or value
 *   met a second time (in a second image, or twice in one) earns a place: one met once (a build's
 *   own history timestamps, a repository pushed once, a CI image's unique name) stays inline in
 *   its entry and leaves the cache with it, instead of filling the table for good (see
 *   `SeenBefore`). Digests are never interned; a reference `name@sha256:...` is kept as its name
 *   and its digest;
 * - a digest met twice in one image (a layer's diffId is also in diffIds) costs 2 bytes the
 *   second time, and an array or object holding no digest (a history entry, env, labels, a
 *   platform) is interned whole.
 * Anything JSON can hold round-trips, so a field added to ImageFacts needs no change here.
 */
export interface FactsCodec {
  /**
   * The compact form of `facts`. It also points the strings of `facts` at the table's copies
   * (same values, so nothing a reader can see changes): a facts object kept in the hot tier
   * then holds ~3 KB instead of ~10 KB of its own strings, and the duplicates die young
   * instead of in the old generation, which is what RSS follows under a stream of new images.
   */
  encode(facts: ImageFacts): string;
  /**
   * The facts encode() was given: a new top-level object each call, whose interned parts
   * (history, env, labels, platforms) are frozen values shared by every decoded facts object.
   * Throws only on a string it did not make.
   */
  decode(compact: string): ImageFacts;
  /** Counted bytes of the intern table; never above maxInternBytes. */
  internBytes(): number;
}

export interface FactsCodecOptions {
  maxInternBytes: number;
}

// Value tags (one byte each).
const NULL = 0;
const FALSE = 1;
const TRUE = 2;
const UINT = 3; // varint
const NEG_INT = 4; // varint of -value
const FLOAT = 5; // 8 bytes, little endian
const DIGEST = 6; // 32 bytes of a sha256:<64 lowercase hex> digest
const INTERNED = 7; // varint id
const STRING = 8; // varint byte length + UTF-8
const ARRAY = 9; // varint count + values
const OBJECT = 10; // its key list (an array value of strings, usually shared), then the values in that order
const DIGEST_AGAIN = 11; // varint: the nth digest of this entry again (a layer's diffId is also in diffIds)
const SHARED_VALUE = 12; // varint id of an interned encoded array or object (history, env, labels, platform)
const NAME_AT_DIGEST = 13; // a reference `name@sha256:...`: the name as a string value, then the digest as one

const DIGEST_PATTERN = /^sha256:[0-9a-f]{64}$/;
/** A reference pinned by digest: the name is shared by every image of the repository, the digest is often the facts' own. */
const NAME_AT_DIGEST_PATTERN = /.@sha256:[0-9a-f]{64}$/;
const DIGEST_PREFIX = 'sha256:';
const DIGEST_LENGTH = 71;
/** Longer strings are written inline: a history line of a huge RUN is rarely shared verbatim. */
const MAX_INTERNED_LENGTH = 1024;
/** Per interned string: its Map slot and array slot, and a V8 string header (measured roughly). */
const INTERN_OVERHEAD_BYTES = 64;
/** A decoded interned value (objects, arrays, their strings) against its encoding, measured roughly. */
const DECODED_BYTES_PER_ENCODED_BYTE = 4;
/** Deeper values than any ImageFacts has are refused rather than overflowing the stack. */
const MAX_DEPTH = 32;

/** The two hex digit character codes of each byte value, high one in the upper 8 bits. */
const HEX_CODES = Array.from({ length: 256 }, (_, i) => {
  const digits = i.toString(16).padStart(2, '0');
  return (digits.charCodeAt(0) << 8) | digits.charCodeAt(1);
});

const LATIN1 = /^[\u0000-\u00ff]*$/;

/** Fingerprint slots per byte of intern budget, and their bounds: 64k slots (256 KiB) for the default 8 MiB table. */
const INTERN_BYTES_PER_SEEN_SLOT = 32;
const MIN_SEEN_SLOTS = 64;
const MAX_SEEN_SLOTS = 65_536;
/**
 * A flat copy of `text`. A concatenation is a rope and a slice keeps the string it was cut from
 * alive; neither should be what a cache keeps for a long time.
 */
function flatString(text: string): string {
  const encoding = LATIN1.test(text) ? 'latin1' : 'utf16le';
  return Buffer.from(text, encoding).toString(encoding);
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const field of Object.values(value)) deepFreeze(field);
  return Object.freeze(value);
}

/** Hex digit value of a character code already known to be [0-9a-f]. */
function hexValue(code: number): number {
  return code <= 57 ? code - 48 : code - 87;
}

export function createFactsCodec(options: FactsCodecOptions): FactsCodec {
  const ids = new Map<string, number>();
  /** Interned arrays and objects, keyed by their encoding (a separate map: an encoding may equal some string). */
  const valueIds = new Map<string, number>();
  /** Interned strings by id, and the encodings of interned values by theirs. */
  const strings: string[] = [];
  const values: string[] = [];
  /** Decoded interned values by id, frozen and shared by every facts object decoded: made once. */
  const decodedValues: unknown[] = [];
  /** Digests written so far (new or again): a value holding one belongs to one image and is not shared. */
  let digestWrites = 0;
  /**
   * The fingerprint of the value last written (seen-before.ts), from what it holds: what decides
   * whether a string or value was met before and earns a place in the table.
   */
  let fingerprint = 0;
  /**
   * The digests of the entry being encoded (to their index) or decoded: a new Map and array per
   * entry, not one cleared each time. A long-lived one sits in the old generation, and its
   * pointers to an image's young digest strings (kept by the dropped backing store until the
   * next full GC) make the scavenger keep those strings, and the facts they lead to, alive until
   * they are promoted as garbage: ~2 KB of old-generation garbage per new image, which grew RSS
   * to ~2.4x the cache's heap (bench/memory.run.ts).
   */
  let entryDigests = new Map<string, number>();
  let decodedDigests: string[] = [];
  const slotBudget = Math.floor(options.maxInternBytes / INTERN_BYTES_PER_SEEN_SLOT);
  const seen = new SeenBefore(2 ** Math.floor(Math.log2(Math.min(MAX_SEEN_SLOTS, Math.max(MIN_SEEN_SLOTS, slotBudget)))));
  /** The fingerprints are part of the table's cost. */
  let internBytes = seen.bytes;
  // One scratch buffer for all encodes and decodes (they are synchronous): nothing but the
  // result string is allocated per image.
  let scratch = Buffer.allocUnsafe(16 * 1024);
  let at = 0;
  /** End of the entry being decoded: a corrupt length or varint must not read past it. */
  let end = 0;

  function reserve(bytes: number): void {
    if (at + bytes <= scratch.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + bytes));
    scratch.copy(bigger);
    scratch = bigger;
  }

  function writeVarint(value: number): void {
    reserve(8);
    while (value >= 0x80) {
      scratch[at++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    scratch[at++] = value;
  }

  function internId(text: string): number | undefined {
    const id = ids.get(text);
    if (id !== undefined || text.length > MAX_INTERNED_LENGTH) return id;
    if (!seen.check(fingerprint)) return undefined;
    const cost = text.length * 2 + INTERN_OVERHEAD_BYTES;
    if (internBytes + cost > options.maxInternBytes) return undefined;
    internBytes += cost;
    const copy = flatString(text);
    ids.set(copy, strings.length);
    strings.push(copy);
    return strings.length - 1;
  }

  /** Writes `text`; answers the table's copy when it is interned. */
  function writeString(text: string, intern: boolean): string | undefined {
    if (text.length === DIGEST_LENGTH && DIGEST_PATTERN.test(text)) {
      // A value holding a digest is never interned, so its fingerprint does not matter.
      fingerprint = 0;
      digestWrites += 1;
      const seen = entryDigests.get(text);
      if (seen !== undefined) {
        reserve(1);
        scratch[at++] = DIGEST_AGAIN;
        writeVarint(seen);
        return undefined;
      }
      entryDigests.set(text, entryDigests.size);
      reserve(33);
      scratch[at++] = DIGEST;
      for (let i = DIGEST_PREFIX.length; i < DIGEST_LENGTH; i += 2) {
        scratch[at++] = hexValue(text.charCodeAt(i)) * 16 + hexValue(text.charCodeAt(i + 1));
      }
      return undefined;
    }
    if (text.length > DIGEST_LENGTH + 1 && NAME_AT_DIGEST_PATTERN.test(text)) {
      reserve(1);
      scratch[at++] = NAME_AT_DIGEST;
      const digestAt = text.length - DIGEST_LENGTH;
      writeString(text.slice(0, digestAt - 1), intern);
      writeString(text.slice(digestAt), intern);
      return undefined;
    }
    fingerprint = stringFingerprint(text);
    const id = intern ? internId(text) : undefined;
    if (id !== undefined) {
      reserve(1);
      scratch[at++] = INTERNED;
      writeVarint(id);
      return strings[id];
    }
    const length = Buffer.byteLength(text, 'utf8');
    reserve(1);
    scratch[at++] = STRING;
    writeVarint(length);
    reserve(length);
    at += scratch.write(text, at, length, 'utf8');
    return undefined;
  }

  /** Writes `value`; answers the table's copy of a string value when it is interned. */
  function writeValue(value: unknown, depth: number, intern: boolean): string | undefined {
    if (depth > MAX_DEPTH) throw new RangeError('facts nested too deeply to cache');
    reserve(9);
    if (value === null) {
      scratch[at++] = NULL;
      fingerprint = combineFingerprint(VALUE_FINGERPRINT_BASIS, NULL);
    } else if (typeof value === 'string') {
      return writeString(value, intern);
    } else if (typeof value === 'boolean') {
      scratch[at++] = value ? TRUE : FALSE;
      fingerprint = combineFingerprint(VALUE_FINGERPRINT_BASIS, value ? TRUE : FALSE);
    } else if (typeof value === 'number') {
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
        scratch[at++] = value >= 0 ? UINT : NEG_INT;
        writeVarint(Math.abs(value));
        fingerprint = combineFingerprint(combineFingerprint(VALUE_FINGERPRINT_BASIS, value >>> 0), Math.floor(value / 2 ** 32) >>> 0);
      } else {
        scratch[at++] = FLOAT;
        at = scratch.writeDoubleLE(value, at);
        fingerprint = combineFingerprint(stringFingerprint(String(value)), FLOAT);
      }
    } else if (Array.isArray(value)) {
      const start = at;
      const digests = digestWrites;
      scratch[at++] = ARRAY;
      writeVarint(value.length);
      const share = !Object.isFrozen(value);
      let hash = combineFingerprint(VALUE_FINGERPRINT_BASIS, ARRAY);
      for (let i = 0; i < value.length; i++) {
        const shared = writeValue(value[i] ?? null, depth + 1, intern);
        hash = combineFingerprint(hash, fingerprint);
        if (shared !== undefined && share) value[i] = shared;
      }
      fingerprint = hash;
      if (intern) shareValue(start, digests);
    } else if (typeof value === 'object') {
      const start = at;
      const digests = digestWrites;
      const object = value as Record<string, unknown>;
      const share = !Object.isFrozen(object);
      const keys: string[] = [];
      for (const key in object) if (object[key] !== undefined) keys.push(key);
      scratch[at++] = OBJECT;
      // The key list is a value like any other, so the same keys in the same order (every layer,
      // every facts object) are interned once and cost a 2-byte id per object.
      writeValue(keys, depth + 1, intern);
      let hash = combineFingerprint(combineFingerprint(VALUE_FINGERPRINT_BASIS, OBJECT), fingerprint);
      for (const key of keys) {
        const shared = writeValue(object[key], depth + 1, intern);
        hash = combineFingerprint(hash, fingerprint);
        if (shared !== undefined && share) object[key] = shared;
      }
      fingerprint = hash;
      if (intern && depth > 0) shareValue(start, digests);
    } else {
      throw new TypeError(`facts hold a ${typeof value}, which JSON cannot`);
    }
    return undefined;
  }

  /**
   * Replaces the array or object just written at `start` by a reference to an interned copy of
   * its encoding, when it holds no digest (those make it unique to one image): a golang-like
   * image's 12 history entries, env, labels and platforms then cost a few bytes.
   */
  function shareValue(start: number, digestsBefore: number): void {
    const length = at - start;
    if (digestWrites !== digestsBefore || length < 4 || length > MAX_INTERNED_LENGTH) return;
    const encoding = scratch.toString('latin1', start, at);
    let id = valueIds.get(encoding);
    if (id === undefined) {
      if (!seen.check(fingerprint)) return;
      // The encoding and, once it is read back, its decoded (shared) form.
      const cost = length * (1 + DECODED_BYTES_PER_ENCODED_BYTE) + INTERN_OVERHEAD_BYTES;
      if (internBytes + cost > options.maxInternBytes) return;
      internBytes += cost;
      id = values.length;
      valueIds.set(encoding, id);
      values.push(encoding);
    }
    at = start;
    scratch[at++] = SHARED_VALUE;
    writeVarint(id);
  }

  // Decoding reads the latin1 string back into the scratch buffer (one copy), then walks it.
  function readVarint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (at >= end) throw new RangeError('compact facts end early');
      const byte = scratch[at++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  }

  function readValue(): unknown {
    if (at >= end) throw new RangeError('compact facts end early');
    const tag = scratch[at++];
    switch (tag) {
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case UINT:
        return readVarint();
      case NEG_INT:
        return -readVarint();
      case FLOAT: {
        if (at + 8 > end) throw new RangeError('compact facts end early');
        const value = scratch.readDoubleLE(at);
        at += 8;
        return value;
      }
      case DIGEST: {
        if (at + 32 > end) throw new RangeError('compact facts end early');
        // Spelled out in the free space past the entry and copied as one flat string: building
        // it by concatenation would leave a rope of 33 pieces in the facts.
        for (let i = 0; i < 32; i++) {
          const pair = HEX_CODES[scratch[at + i]!]!;
          scratch[end + DIGEST_PREFIX.length + 2 * i] = pair >> 8;
          scratch[end + DIGEST_PREFIX.length + 2 * i + 1] = pair & 0xff;
        }
        at += 32;
        const digest = scratch.toString('latin1', end, end + DIGEST_LENGTH);
        decodedDigests.push(digest);
        return digest;
      }
      case DIGEST_AGAIN:
        return byId(decodedDigests, 'digest');
      case NAME_AT_DIGEST: {
        const name = readValue();
        const digest = readValue();
        if (typeof name !== 'string' || typeof digest !== 'string') throw new RangeError('compact facts have a corrupt reference');
        return flatString(`${name}@${digest}`);
      }
      case SHARED_VALUE:
        return sharedValue(readVarint());
      case INTERNED:
        return byId(strings, 'string');
      case STRING: {
        const length = readVarint();
        if (at + length > end) throw new RangeError('compact facts end early');
        const text = scratch.toString('utf8', at, at + length);
        at += length;
        return text;
      }
      case ARRAY: {
        const count = readVarint();
        // Every value takes at least a byte: a corrupt count must not allocate a huge array.
        if (count > end - at) throw new RangeError('compact facts end early');
        // Sized once: an array grown by push() keeps up to ~16 spare slots (8 B each); layers and diffIds
        // of a hot facts object are two such arrays.
        const array: unknown[] = new Array<unknown>(count);
        for (let i = 0; i < count; i++) array[i] = readValue();
        return array;
      }
      case OBJECT: {
        const keys = readValue();
        if (!Array.isArray(keys)) throw new RangeError('compact facts have an object without a key list');
        const object: Record<string, unknown> = {};
        for (const key of keys) {
          if (typeof key !== 'string') throw new RangeError('compact facts have a key that is not a string');
          const field = readValue();
          // A label named __proto__ must stay a label, as JSON.parse keeps it, not become the prototype.
          if (key === '__proto__') Object.defineProperty(object, key, { value: field, enumerable: true, writable: true, configurable: true });
          else object[key] = field;
        }
        return object;
      }
      default:
        throw new RangeError(`compact facts have an unknown tag ${tag}`);
    }
  }

  /** The entry of `table` the next varint names. */
  function byId(table: string[], what: string): string {
    const entry = table[readVarint()];
    if (entry === undefined) throw new RangeError(`compact facts name an unknown ${what}`);
    return entry;
  }

  /**
   * The interned value `id` names, decoded once and then shared, frozen, by every facts object
   * read back: the history, env and labels of the hot tier's images then cost nothing per image
   * (~2 KB of a golang-like image's ~4.7 KB of objects), and freezing keeps one reader from
   * changing another's facts.
   */
  function sharedValue(id: number): unknown {
    const decoded = decodedValues[id];
    if (decoded !== undefined) return decoded;
    const encoding = values[id];
    if (encoding === undefined) throw new RangeError('compact facts name an unknown value');
    const value = deepFreeze(readShared(encoding));
    decodedValues[id] = value;
    return value;
  }

  /** Decodes an interned value's encoding, copied past the current entry. */
  function readShared(encoding: string): unknown {
    const saved = at;
    const savedEnd = end;
    at = end + DIGEST_LENGTH;
    reserve(encoding.length + DIGEST_LENGTH);
    const start = at;
    end = start + scratch.write(encoding, start, 'latin1');
    const value = readValue();
    if (at !== end) throw new RangeError('compact facts have a corrupt shared value');
    at = saved;
    end = savedEnd;
    return value;
  }

  return {
    encode(facts) {
      at = 0;
      entryDigests = new Map();
      writeValue(facts, 0, true);
      return scratch.toString('latin1', 0, at);
    },
    decode(compact) {
      at = 0;
      decodedDigests = [];
      reserve(compact.length + DIGEST_LENGTH);
      end = scratch.write(compact, 0, 'latin1');
      scratch.write(DIGEST_PREFIX, end, 'latin1');
      at = 0;
      const facts = readValue();
      if (at !== end || facts === null || typeof facts !== 'object') throw new RangeError('compact facts are not one object');
      return facts as ImageFacts;
    },
    internBytes: () => internBytes,
  };
}
