import { describe, expect, it } from 'vitest';
import { createWriteCoalescer } from './write-coalescer.js';

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('createWriteCoalescer', () => {
  it('holds the writes of one turn and runs them back to back, in order, once the turn is over', async () => {
    const deferWrite = createWriteCoalescer(() => {});
    const done: string[] = [];
    deferWrite(() => done.push('a'));
    await Promise.resolve(); // microtasks of the same turn (a promise-answered review) join the batch
    deferWrite(() => done.push('b'));
    process.nextTick(() => deferWrite(() => done.push('c')));
    expect(done).toEqual([]);
    await nextTurn();
    expect(done).toEqual(['a', 'b', 'c']);
  });

  it('keeps writing the rest of the batch when one write throws, and reports the error', async () => {
    const errors: unknown[] = [];
    const deferWrite = createWriteCoalescer((error) => errors.push(error));
    const done: string[] = [];
    deferWrite(() => done.push('a'));
    deferWrite(() => {
      throw new Error('socket gone');
    });
    deferWrite(() => done.push('c'));
    await nextTurn();
    expect(done).toEqual(['a', 'c']);
    expect(errors).toEqual([new Error('socket gone')]);
  });

  it('puts a write queued while a batch is being written into the next batch', async () => {
    const deferWrite = createWriteCoalescer(() => {});
    const done: string[] = [];
    deferWrite(() => {
      done.push('first');
      deferWrite(() => done.push('later'));
    });
    await nextTurn();
    expect(done).toEqual(['first']);
    await nextTurn();
    expect(done).toEqual(['first', 'later']);
  });
});
