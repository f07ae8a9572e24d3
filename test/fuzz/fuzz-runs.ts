// How many cases each fast-check property runs, and the tally `npm run fuzz` prints at the end.
// In `npm test` every property runs its short count (a few hundred cases); `npm run fuzz` sets
// FUZZ_RUNS (cases per unit of weight) and vitest.fuzz.config.ts, whose global setup adds the
// cases up (test/fuzz/fuzz-tally.ts).
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';

/** Cases for one property: `short` in npm test, FUZZ_RUNS × weight in npm run fuzz. */
export function fuzzRuns(short: number, weight = 1): number {
  const long = Number(process.env.FUZZ_RUNS);
  return Number.isFinite(long) && long > 0 ? Math.max(short, Math.round(long * weight)) : short;
}

/**
 * fc.assert with the run count recorded for the tally. Counts only properties that passed: a
 * failing one throws (with its shrunk counterexample) before anything is recorded.
 */
export async function assertProperty(name: string, property: fc.IProperty<any> | fc.IAsyncProperty<any>, numRuns: number): Promise<void> {
  await fc.assert(property as fc.IAsyncProperty<unknown>, { numRuns });
  const tally = process.env.FUZZ_TALLY_FILE;
  if (tally) appendFileSync(tally, `${JSON.stringify({ name, cases: numRuns })}\n`);
}
