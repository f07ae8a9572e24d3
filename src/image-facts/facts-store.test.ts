import { describe, expect, it } from 'vitest';
import { golangAppFacts } from '../policy/facts-fixture.js';
import { createFactsStore } from './facts-store.js';
import type { ImageFacts } from './image-facts.js';

// The fixtures make new digests on every call: take each once.
const GOLANG_APP = golangAppFacts() as unknown as ImageFacts;

function facts(i: number): ImageFacts {
  return { ...GOLANG_APP, digest: `sha256:${i.toString(16).padStart(64, '0')}`, indexDigest: `sha256:${(i + 1e6).toString(16).padStart(64, 'f')}` };
}

describe('facts store', () => {
  it('keeps a new image compact; read back, it is hot: the same object from then on', () => {
    const store = createFactsStore({ maxBytes: 1024 * 1024, hotEntries: 2 });
    const first = facts(1);
    store.set('a', first);
    const read = store.get('a');
    expect(read).not.toBe(first);
    expect(read).toEqual(first);
    expect(store.get('a')).toBe(read);
    store.get('b'); // a miss changes nothing
    store.set('b', facts(2));
    store.set('c', facts(3));
    store.get('b');
    store.get('c'); // 'b' and 'c' fill the hot tier of two: 'a' leaves it
    const again = store.get('a');
    expect(again).not.toBe(read);
    expect(again).toEqual(first);
  });

  it('is not flushed by a stream of images used once: those never enter the hot tier', () => {
    const store = createFactsStore({ maxBytes: 1024 * 1024, hotEntries: 2 });
    store.set('in-use', facts(0));
    const hot = store.get('in-use');
    for (let i = 1; i <= 50; i++) store.set(`once-${i}`, facts(i));
    expect(store.get('in-use')).toBe(hot);
  });

  it('finds facts under an alias (the index digest), hot or not', () => {
    const store = createFactsStore({ maxBytes: 1024 * 1024, hotEntries: 1 });
    const stored = facts(1);
    store.set('manifest-key', stored, ['index-key']);
    const viaAlias = store.get('index-key');
    expect(viaAlias).toEqual(stored);
    expect(store.get('index-key')).toBe(viaAlias);
    store.set('other', facts(2));
    store.get('other'); // takes the only hot slot
    expect(store.get('index-key')).toEqual(stored);
    expect(store.size()).toBe(3);
  });

  it('follows an alias one hop only: a key made an alias since then is a miss, not other facts', () => {
    const store = createFactsStore({ maxBytes: 1024 * 1024, hotEntries: 1 });
    store.set('b', facts(2), ['a']);
    store.set('c', facts(3), ['b']); // 'b' now names c's facts; 'a' still names 'b'
    expect(store.get('b')).toEqual(facts(3));
    expect(store.get('a')).toBeUndefined();
    expect(store.get('c')).toEqual(facts(3));
  });

  it('never counts more bytes than its bound, evicting the least recently used images', () => {
    const maxBytes = 64 * 1024;
    const store = createFactsStore({ maxBytes, hotEntries: 4 });
    for (let i = 0; i < 2_000; i++) {
      store.set(`key-${i}`, facts(i), [`alias-${i}`]);
      expect(store.bytes()).toBeLessThanOrEqual(maxBytes);
    }
    expect(store.get('key-1999')).toEqual(facts(1999));
    expect(store.get('alias-1998')).toEqual(facts(1998));
    expect(store.get('key-0')).toBeUndefined();
    expect(store.get('alias-0')).toBeUndefined();
    expect(store.size()).toBeLessThan(4_000);
  });

  it('keeps an image that stayed hot while newer ones filled the compact tier', () => {
    // 64 KiB of hot tier holds six of these images, 192 KiB of compact tier about a hundred.
    const store = createFactsStore({ maxBytes: 256 * 1024, hotEntries: 8 });
    const stored = facts(0);
    store.set('hot', stored);
    const hotOne = store.get('hot');
    for (let i = 1; i < 500; i++) {
      store.set(`key-${i}`, facts(i));
      store.get('hot'); // used all the time: never leaves the hot tier
    }
    expect(store.get('hot')).toBe(hotOne);
    // Pushed out of the hot tier at last, it is stored compact again rather than lost.
    for (let i = 500; i < 510; i++) {
      store.set(`key-${i}`, facts(i));
      store.get(`key-${i}`);
    }
    expect(store.get('hot')).not.toBe(hotOne);
    expect(store.get('hot')).toEqual(stored);
  });
});
