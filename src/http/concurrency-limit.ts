import { HttpError } from './errors.js';

/**
 * A counter of reviews in flight with a ceiling. There is no queue on purpose: a waiting review
 * spends the API server's timeout doing nothing, and a fast refusal lets the API server apply the
 * webhook's failurePolicy at once instead of after the timeout.
 */
export interface ConcurrencyLimit {
  /** Takes a slot; false when all are taken (the caller answers 429). */
  tryAcquire(): boolean;
  /** Gives a slot back; call exactly once per successful tryAcquire. */
  release(): void;
  /** Slots taken now. */
  inFlight(): number;
  /** Resolves when no slot is taken (at once if none is). */
  whenIdle(): Promise<void>;
  readonly max: number;
}

export function createConcurrencyLimit(options: { max: number }): ConcurrencyLimit {
  const { max } = options;
  if (!Number.isInteger(max) || max < 1) {
    throw new HttpError(500, 'INVALID_OPTION', `maxConcurrent must be a positive integer, got ${String(max)}`);
  }
  let taken = 0;
  const idleWaiters = new Set<() => void>();
  return {
    max,
    tryAcquire() {
      if (taken >= max) return false;
      taken += 1;
      return true;
    },
    release() {
      if (taken === 0) return;
      taken -= 1;
      if (taken === 0) {
        for (const wake of idleWaiters) wake();
        idleWaiters.clear();
      }
    },
    inFlight: () => taken,
    whenIdle() {
      if (taken === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.add(resolve));
    },
  };
}
