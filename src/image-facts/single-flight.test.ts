import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('SingleFlight', () => {
  it('runs the work once for concurrent callers of one key and shares the result', async () => {
    const flights = new SingleFlight<number>();
    const gate = deferred<number>();
    let runs = 0;
    const work = async () => {
      runs += 1;
      return gate.promise;
    };
    const callers = [flights.run('k', undefined, work), flights.run('k', undefined, work), flights.run('other', undefined, work)];
    expect(flights.inFlight).toBe(2);
    gate.resolve(7);
    expect(await Promise.all(callers)).toEqual([7, 7, 7]);
    expect(runs).toBe(2);
    expect(flights.inFlight).toBe(0);
  });

  it('lets one caller give up without cancelling the work for the others', async () => {
    const flights = new SingleFlight<string>();
    const gate = deferred<string>();
    let workSignal: AbortSignal | undefined;
    const impatient = new AbortController();
    const first = flights.run('k', impatient.signal, async (signal) => {
      workSignal = signal;
      return gate.promise;
    });
    const second = flights.run('k', undefined, async () => 'never runs');
    impatient.abort(new Error('deadline'));
    await expect(first).rejects.toThrow('deadline');
    expect(workSignal?.aborted).toBe(false);
    gate.resolve('done');
    expect(await second).toBe('done');
  });

  it('aborts the work when every caller has given up', async () => {
    const flights = new SingleFlight<string>();
    const a = new AbortController();
    const b = new AbortController();
    let workSignal: AbortSignal | undefined;
    const work = (signal: AbortSignal) => {
      workSignal = signal;
      return new Promise<string>(() => {});
    };
    const first = flights.run('k', a.signal, work);
    const second = flights.run('k', b.signal, work);
    a.abort(new Error('a'));
    b.abort(new Error('b'));
    await expect(first).rejects.toThrow('a');
    await expect(second).rejects.toThrow('b');
    expect(workSignal?.aborted).toBe(true);
    expect(flights.inFlight).toBe(0);
  });

  it('shares a failure with every caller and forgets it afterwards', async () => {
    const flights = new SingleFlight<number>();
    let runs = 0;
    const failing = async () => {
      runs += 1;
      throw new Error('boom');
    };
    await expect(Promise.all([flights.run('k', undefined, failing), flights.run('k', undefined, failing)])).rejects.toThrow('boom');
    await expect(flights.run('k', undefined, failing)).rejects.toThrow('boom');
    expect(runs).toBe(2);
  });
});
