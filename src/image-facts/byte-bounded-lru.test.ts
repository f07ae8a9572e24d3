import { describe, expect, it } from 'vitest';
import { ByteBoundedLru } from './byte-bounded-lru.js';

/** Counts a value's length plus its key's, as the facts store does. */
const lengths = (value: string, key: string) => value.length + key.length;

describe('byte-bounded LRU', () => {
  it('evicts the least recently used entries, a read making an entry recent', () => {
    const lru = new ByteBoundedLru<string>(30, lengths);
    lru.set('a', 'x'.repeat(9));
    lru.set('b', 'x'.repeat(9));
    lru.set('c', 'x'.repeat(9));
    expect(lru.bytes).toBe(30);
    expect(lru.get('a')).toBe('x'.repeat(9)); // 'b' is now the oldest
    lru.set('d', 'y'.repeat(4));
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual(['x'.repeat(9), 'x'.repeat(9), 'yyyy']);
    expect(lru.size).toBe(3);
    expect(lru.bytes).toBe(25);
  });

  it('evicts as many entries as a large value needs, and never holds more bytes than its bound', () => {
    const lru = new ByteBoundedLru<string>(100, lengths);
    for (let i = 0; i < 1_000; i++) {
      lru.set(`k${i}`, 'v'.repeat(10 + (i % 30)));
      expect(lru.bytes).toBeLessThanOrEqual(100);
    }
    lru.set('big', 'b'.repeat(90));
    expect(lru.bytes).toBe(93);
    expect(lru.size).toBe(1);
  });

  it('refuses a value larger than the whole bound, dropping what the key held', () => {
    const lru = new ByteBoundedLru<string>(10, lengths);
    lru.set('a', 'small');
    lru.set('b', 'tiny');
    lru.set('a', 'far too large for it');
    expect(lru.get('a')).toBeUndefined();
    expect(lru.get('b')).toBe('tiny');
    expect(lru.bytes).toBe(5);
  });

  it('counts a replaced or deleted value out again', () => {
    const lru = new ByteBoundedLru<string>(1_000, lengths);
    lru.set('a', 'one');
    lru.set('a', 'three');
    expect(lru.bytes).toBe(6);
    expect(lru.size).toBe(1);
    expect(lru.delete('a')).toBe(true);
    expect(lru.delete('a')).toBe(false);
    expect(lru.bytes).toBe(0);
    expect(lru.size).toBe(0);
  });
});
