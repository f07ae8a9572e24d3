/**
 * A least-recently-used map bounded by counted bytes, kept in one Map: a Map iterates in
 * insertion order, so a hit moves its key to the end and eviction takes from the front.
 *
 * Why not lru-cache here (the hot tier uses it): besides its Map it keeps five parallel arrays
 * (keys, values, next, prev, sizes), about 96 B per entry against the bare Map's 46 (measured
 * with 20,000 16-character keys, heapUsed after full collections). The compact tier holds two
 * entries per index image and tens of thousands of images, so those 50 B per entry were a tenth
 * of an image's cost (bench/memory.run.ts). Sizes are not stored either: `sizeOf` is computed
 * again when an entry leaves, so it must answer the same for the same key and value.
 */
export class ByteBoundedLru<V> {
  private readonly entries = new Map<string, V>();
  private counted = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly sizeOf: (value: V, key: string) => number,
  ) {}

  /** The value under `key`, made the most recent. */
  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /**
   * Stores `value` as the most recent, evicting the least recent entries until it fits. A value
   * larger than the whole bound is not stored (and any older value under `key` is gone).
   */
  set(key: string, value: V): void {
    this.delete(key);
    const size = this.sizeOf(value, key);
    if (size > this.maxBytes) return;
    for (const [oldestKey, oldestValue] of this.entries) {
      if (this.counted + size <= this.maxBytes) break;
      this.entries.delete(oldestKey);
      this.counted -= this.sizeOf(oldestValue, oldestKey);
    }
    this.entries.set(key, value);
    this.counted += size;
  }

  delete(key: string): boolean {
    const value = this.entries.get(key);
    if (value === undefined) return false;
    this.entries.delete(key);
    this.counted -= this.sizeOf(value, key);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Counted bytes of the entries held; never above the bound. */
  get bytes(): number {
    return this.counted;
  }
}
