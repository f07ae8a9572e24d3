// Which strings and values the facts codec (compact-facts.ts) met before: it interns only those.
/** FNV-1a: the offset basis (another one for encoded values, so a string and a value never share a fingerprint) and prime. */
const FNV_STRING_BASIS = 0x811c9dc5;
const FNV_VALUE_BASIS = 0x050c5d1f;
const FNV_PRIME = 0x01000193;

/**
 * Which strings and values were met before: one 32-bit fingerprint per slot, direct-mapped, so it
 * costs a fixed few hundred KiB whatever it is shown. A slot taken by a newer fingerprint forgets
 * the older one (that string then waits for one more sighting); two values sharing a fingerprint
 * (1 in 2^32) intern one a sighting early. Neither can change what decodes: it only decides what
 * is worth a place in the table.
 */
export class SeenBefore {
  private readonly slots: Uint32Array;

  constructor(slotCount: number) {
    this.slots = new Uint32Array(slotCount);
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Whether `fingerprint` was recorded before; records it. */
  check(fingerprint: number): boolean {
    // A slot holds fingerprint + 1 so that an empty slot (0) never matches.
    const mark = (fingerprint + 1) >>> 0 || 1;
    const slot = fingerprint & (this.slots.length - 1);
    if (this.slots[slot] === mark) return true;
    this.slots[slot] = mark;
    return false;
  }
}

export function stringFingerprint(text: string): number {
  let hash = FNV_STRING_BASIS;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash >>> 0;
}

/**
 * The fingerprint of a value from its kind (`hash`, started at VALUE_FINGERPRINT_BASIS) and the
 * fingerprints of its parts, fed in order. Built from what a value holds, not from its bytes: those
 * change as its parts earn their own places in the table, and a nested value would then need one
 * more sighting per level.
 */
export function combineFingerprint(hash: number, part: number): number {
  return Math.imul((hash ^ part) >>> 0, FNV_PRIME) >>> 0;
}

export const VALUE_FINGERPRINT_BASIS = FNV_VALUE_BASIS;
