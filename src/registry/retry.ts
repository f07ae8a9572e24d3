import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** First backoff; doubled on every further attempt, with jitter. */
  baseDelayMs: number;
  /** No single wait is longer than this, whatever Retry-After says. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 };

/**
 * How long to wait before attempt `attempt + 1`, or undefined when the wait would run past
 * the deadline (then the caller gives up at once rather than sleeping into a timeout).
 */
export function retryDelay(
  options: RetryOptions,
  attempt: number,
  retryAfterMs: number | undefined,
  deadline: number | undefined,
  now = Date.now(),
  random = Math.random,
): number | undefined {
  if (attempt >= options.maxAttempts) return undefined;
  const backoff = options.baseDelayMs * 2 ** (attempt - 1);
  // Full jitter keeps many webhook replicas from retrying in lock-step against one registry.
  const jittered = backoff / 2 + random() * (backoff / 2);
  const delay = Math.max(jittered, retryAfterMs ?? 0);
  if (delay > options.maxDelayMs) return undefined;
  if (deadline !== undefined && now + delay >= deadline) return undefined;
  return delay;
}

/** Sleeps, but wakes with the signal's reason as soon as the signal aborts. */
export async function sleepWithSignal(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await sleep(ms, undefined, { signal });
}
