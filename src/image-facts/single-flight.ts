interface Flight<T> {
  promise: Promise<T>;
  controller: AbortController;
  waiters: number;
}

/**
 * Runs one piece of work per key at a time and shares its result with every caller that
 * asks meanwhile: 200 pods with one new image cost the registry one set of requests.
 * Each caller keeps its own deadline; the shared work is aborted only when every caller
 * waiting for it has given up, so one impatient caller cannot fail the others.
 */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Flight<T>>();

  get inFlight(): number {
    return this.#flights.size;
  }

  run(key: string, signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    signal?.throwIfAborted();
    let flight = this.#flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const started: Flight<T> = {
        controller,
        waiters: 0,
        promise: Promise.resolve()
          .then(() => work(controller.signal))
          .finally(() => {
            if (this.#flights.get(key) === started) this.#flights.delete(key);
          }),
      };
      flight = started;
      this.#flights.set(key, flight);
    }
    const current = flight;
    current.waiters += 1;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const leave = () => {
        if (settled) return false;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        current.waiters -= 1;
        return true;
      };
      const onAbort = () => {
        if (!leave()) return;
        if (current.waiters === 0) {
          current.controller.abort(signal?.reason);
          // A new caller must not join work that is being cancelled.
          if (this.#flights.get(key) === current) this.#flights.delete(key);
        }
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      current.promise.then(
        (value) => leave() && resolve(value),
        (error: unknown) => leave() && reject(error),
      );
    });
  }
}
