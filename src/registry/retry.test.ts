import { describe, expect, it } from 'vitest';
import { retryDelay } from './retry.js';

const options = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };
const half = () => 0.5;

describe('retryDelay', () => {
  it('backs off exponentially with jitter between half and the full backoff', () => {
    expect(retryDelay(options, 1, undefined, undefined, 0, () => 0)).toBe(100);
    expect(retryDelay(options, 1, undefined, undefined, 0, () => 1)).toBe(200);
    expect(retryDelay(options, 2, undefined, undefined, 0, half)).toBe(300);
  });

  it('stops after the last attempt', () => {
    expect(retryDelay(options, 3, undefined, undefined, 0, half)).toBeUndefined();
  });

  it('honours Retry-After when it is longer than the backoff', () => {
    expect(retryDelay(options, 1, 1_500, undefined, 0, half)).toBe(1_500);
  });

  it('gives up instead of waiting past the deadline or past the longest wait', () => {
    expect(retryDelay(options, 1, 1_500, 1_000, 0, half)).toBeUndefined();
    expect(retryDelay(options, 1, 60_000, undefined, 0, half)).toBeUndefined();
    expect(retryDelay(options, 1, undefined, 10_000, 0, half)).toBe(150);
  });
});
