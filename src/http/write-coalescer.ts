/**
 * Writes that wait for the end of the event-loop turn, then run back to back.
 *
 * Why: under load one turn of the loop reads the bodies of many reviews (one per connection) and
 * answers most of them from memory at once. Writing each answer as soon as it is known spaces the
 * writes out by the next review's work, so the client has gone back to sleep between two of them
 * and every write has to wake it; the writing process pays for that wake-up (on a VM a cross-CPU
 * interrupt, which is dear). Written back to back, the first write of a turn wakes the client and
 * the rest find it awake, and the next turn finds more requests waiting, so the loop also turns
 * fewer times per review. Measured on the warm path (bench/warm-path.run.ts, 2-core VM): see
 * README "Warm path, round 4".
 *
 * An answer waits at most for the rest of the turn it was made in: the other reviews already read
 * in that turn (the warm path takes tens of microseconds each), never for I/O. `setImmediate` runs
 * right after the poll phase, the phase in which the request bodies were read.
 */
export type DeferWrite = (write: () => void) => void;

export function createWriteCoalescer(onWriteError: (error: unknown) => void): DeferWrite {
  let queued: (() => void)[] = [];
  const flush = () => {
    const writes = queued;
    queued = [];
    for (const write of writes) {
      try {
        write();
      } catch (error) {
        // One failed write must not keep the rest of the turn's answers from going out.
        onWriteError(error);
      }
    }
  };
  return (write) => {
    if (queued.length === 0) setImmediate(flush);
    queued.push(write);
  };
}
