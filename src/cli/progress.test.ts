import { describe, expect, it } from 'vitest';
import { createProgress, formatProgress, type ProgressStream } from './progress.js';

function fakeStream(isTTY: boolean | undefined): ProgressStream & { written: string[] } {
  const written: string[] = [];
  return { ...(isTTY === undefined ? {} : { isTTY }), written, write: (chunk: string) => written.push(chunk) };
}

describe('progress', () => {
  it('formats the count', () => {
    expect(formatProgress(3, 10)).toBe('checking 3/10 images…');
    expect(formatProgress(0, 4, 'platforms')).toBe('checking 0/4 platforms…');
  });

  it('rewrites one line on a terminal and erases it at the end', () => {
    const stream = fakeStream(true);
    const progress = createProgress({ stream, total: 3 });
    progress.advance();
    progress.advance();
    progress.advance();
    progress.advance(); // more than total: ignored
    progress.finish();
    progress.finish(); // once
    expect(stream.written).toEqual([
      '\r\u001b[Kchecking 0/3 images…',
      '\r\u001b[Kchecking 1/3 images…',
      '\r\u001b[Kchecking 2/3 images…',
      '\r\u001b[Kchecking 3/3 images…',
      '\r\u001b[K',
    ]);
    expect(stream.written.join('')).not.toContain('\n');
  });

  it('writes nothing after finish', () => {
    const stream = fakeStream(true);
    const progress = createProgress({ stream, total: 5 });
    progress.finish();
    progress.advance();
    expect(stream.written).toHaveLength(2);
  });

  it.each([
    ['stderr is not a terminal', undefined, 10],
    ['isTTY is false', false, 10],
    ['only a few images are checked', true, 2],
  ])('is silent when %s', (_, isTTY, total) => {
    const stream = fakeStream(isTTY);
    const progress = createProgress({ stream, total });
    progress.advance();
    progress.finish();
    expect(stream.written).toEqual([]);
  });

  it('honours a custom threshold', () => {
    const stream = fakeStream(true);
    createProgress({ stream, total: 1, minTotal: 1 }).finish();
    expect(stream.written).toHaveLength(2);
  });
});
