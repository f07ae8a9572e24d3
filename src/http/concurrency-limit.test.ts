import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit } from './concurrency-limit.js';
import { HttpError } from './errors.js';

describe('createConcurrencyLimit', () => {
  it('grants up to max slots and refuses the next', () => {
    const limit = createConcurrencyLimit({ max: 2 });
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.tryAcquire()).toBe(false);
    expect(limit.inFlight()).toBe(2);
    limit.release();
    expect(limit.tryAcquire()).toBe(true);
  });

  it('never goes below zero on an extra release', () => {
    const limit = createConcurrencyLimit({ max: 1 });
    limit.release();
    expect(limit.inFlight()).toBe(0);
    expect(limit.tryAcquire()).toBe(true);
    expect(limit.tryAcquire()).toBe(false);
  });

  it('resolves whenIdle once the last slot is released', async () => {
    const limit = createConcurrencyLimit({ max: 3 });
    await limit.whenIdle(); // idle already
    limit.tryAcquire();
    limit.tryAcquire();
    let idle = false;
    const waiting = limit.whenIdle().then(() => {
      idle = true;
    });
    limit.release();
    await Promise.resolve();
    expect(idle).toBe(false);
    limit.release();
    await waiting;
    expect(idle).toBe(true);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses max %s', (max) => {
    expect(() => createConcurrencyLimit({ max })).toThrow(HttpError);
  });
});
