/**
 * Runs `work` with a signal that aborts when `signal` does or after `timeoutMs`, and releases
 * both when the work ends. AbortSignal.any([signal, AbortSignal.timeout(ms)]) would do the same,
 * but its timer and the composite signal stay alive until the timeout fires: measured by the
 * memory benchmark at ~0.8 KB per lookup kept for the whole timeout (30 s), 84 MB after 100k
 * lookups with a 16 MiB cache.
 */
export async function withTimeout<T>(signal: AbortSignal, timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => controller.abort(new DOMException(`lookup took longer than ${timeoutMs} ms`, 'TimeoutError')), timeoutMs);
  timer.unref();
  try {
    return await work(controller.signal);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}
