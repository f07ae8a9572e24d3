import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { policyHash } from './policy-hash.js';

describe('policyHash', () => {
  it('is the first 12 hex characters of the sha256', () => {
    const text = 'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\n';
    expect(policyHash(text)).toBe(createHash('sha256').update(text).digest('hex').slice(0, 12));
    expect(policyHash(text)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('hashes bytes and the same text alike, and differs for different policies', () => {
    expect(policyHash(new TextEncoder().encode('a'))).toBe(policyHash('a'));
    expect(policyHash('spec: {mode: warn}')).not.toBe(policyHash('spec: {mode: enforce}'));
  });
});
