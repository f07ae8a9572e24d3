import { describe, expect, it } from 'vitest';
import { createLabelLimiter } from './label-limiter.js';

describe('createLabelLimiter', () => {
  it('admits values first come, first served up to the limit, then answers the overflow value', () => {
    const limiter = createLabelLimiter({ limit: 2, overflowValue: 'other' });
    expect(limiter.label('a')).toBe('a');
    expect(limiter.label('b')).toBe('b');
    expect(limiter.label('c')).toBe('other');
    expect(limiter.label('a')).toBe('a');
    expect(limiter.size).toBe(2);
  });

  it('always admits reserved values without using up the limit', () => {
    const limiter = createLabelLimiter({ limit: 1, reserved: ['ghcr.io'], overflowValue: 'other' });
    expect(limiter.label('x.example')).toBe('x.example');
    expect(limiter.label('ghcr.io')).toBe('ghcr.io');
    expect(limiter.label('y.example')).toBe('other');
    expect(limiter.size).toBe(2);
  });

  it('normalizes before counting, so variants share one value', () => {
    const limiter = createLabelLimiter({ limit: 1, overflowValue: 'other', normalize: (v) => v.toLowerCase() });
    expect(limiter.label('Quay.IO')).toBe('quay.io');
    expect(limiter.label('quay.io')).toBe('quay.io');
    expect(limiter.label('gcr.io')).toBe('other');
  });

  it('with limit 0 admits only reserved values', () => {
    const limiter = createLabelLimiter({ limit: 0, reserved: ['docker.io'], overflowValue: 'other' });
    expect(limiter.label('docker.io')).toBe('docker.io');
    expect(limiter.label('evil.example')).toBe('other');
  });
});
