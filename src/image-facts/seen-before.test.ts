import { describe, expect, it } from 'vitest';
import { combineFingerprint, SeenBefore, stringFingerprint, VALUE_FINGERPRINT_BASIS } from './seen-before.js';

describe('seen before', () => {
  it('answers false the first time a fingerprint is shown and true after', () => {
    const seen = new SeenBefore(64);
    const fingerprint = stringFingerprint('ENV LANG=C.UTF-8');
    expect(seen.check(fingerprint)).toBe(false);
    expect(seen.check(fingerprint)).toBe(true);
    expect(seen.check(stringFingerprint('ENV LANG=C'))).toBe(false);
    // An empty slot never passes for a fingerprint of 0, nor does one of 2^32 - 1.
    expect(seen.check(0)).toBe(false);
    expect(seen.check(0xffffffff)).toBe(false);
  });

  it('forgets a fingerprint whose slot a newer one took, and costs only its slots', () => {
    const seen = new SeenBefore(64);
    const first = 5;
    const sameSlot = 5 + 64 * 7;
    expect(seen.check(first)).toBe(false);
    expect(seen.check(sameSlot)).toBe(false);
    expect(seen.check(first)).toBe(false);
    expect(seen.bytes).toBe(256);
  });

  it('tells values apart by their parts and their order', () => {
    const list = (...parts: string[]) => parts.reduce((hash, part) => combineFingerprint(hash, stringFingerprint(part)), VALUE_FINGERPRINT_BASIS);
    expect(list('digest', 'size')).toBe(list('digest', 'size'));
    expect(list('digest', 'size')).not.toBe(list('size', 'digest'));
    expect(list('a')).not.toBe(stringFingerprint('a'));
  });
});
