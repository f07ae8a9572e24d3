import { describe, expect, it } from 'vitest';
import { withTimeout } from './bounded-signal.js';

describe('withTimeout', () => {
  it('aborts the work when the timeout passes', async () => {
    const parent = new AbortController();
    const error = await withTimeout(parent.signal, 20, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)))).catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('TimeoutError');
  });

  it('aborts the work when the outer signal aborts, with its reason', async () => {
    const parent = new AbortController();
    const work = withTimeout(parent.signal, 10_000, (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
    parent.abort(new Error('caller gave up'));
    await expect(work).rejects.toThrow('caller gave up');
  });

  it('starts aborted when the outer signal already is', async () => {
    const parent = new AbortController();
    parent.abort(new Error('already'));
    await expect(withTimeout(parent.signal, 10_000, async (signal) => signal.aborted)).resolves.toBe(true);
  });

  it('lets go of the outer signal once the work is done', async () => {
    const parent = new AbortController();
    let inner: AbortSignal | undefined;
    await withTimeout(parent.signal, 10_000, async (signal) => {
      inner = signal;
      return 1;
    });
    // The listener is gone: aborting the outer signal no longer reaches the finished work.
    parent.abort(new Error('late'));
    expect(inner?.aborted).toBe(false);
  });
});
