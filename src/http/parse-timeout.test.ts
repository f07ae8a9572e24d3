import { describe, expect, it } from 'vitest';
import { parseGoDuration, reviewBudget, timeoutQueryParam } from './parse-timeout.js';

describe('parseGoDuration', () => {
  it.each([
    ['10s', 10_000],
    ['30s', 30_000],
    ['1s', 1_000],
    ['500ms', 500],
    ['1m', 60_000],
    ['1m0s', 60_000], // what Go's Duration.String prints for a minute
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['2h', 7_200_000],
    ['1500us', 1.5],
    ['1500µs', 1.5],
    ['2000000ns', 2],
    ['0', 0],
    ['+5s', 5_000],
    ['-5s', -5_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each(['', '10', 's', '10x', '10 s', ' 10s', '10s ', '1.s.', 'ms', '-', '10S', '1e3s', 'NaNs', 'abc'])(
    '%j is not a duration',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );
});

describe('reviewBudget', () => {
  const base = { deadlineMarginMs: 1000, defaultTimeoutMs: 10_000, maxTimeoutMs: 30_000 };

  it.each([
    // [timeout param, timeoutMs, budgetMs]
    ['10s', 10_000, 9_000],
    ['30s', 30_000, 29_000],
    ['1m', 30_000, 29_000], // clamped to the v1 maximum
    ['5s', 5_000, 4_000],
    ['2s', 2_000, 1_000], // margin is exactly half: still allowed
    ['1s', 1_000, 500], // margin capped at half the timeout
    ['500ms', 500, 250],
    [undefined, 10_000, 9_000], // absent: the API server default
    ['garbage', 10_000, 9_000], // unparsable: default, not an error
    ['0s', 10_000, 9_000], // not positive: default
    ['-3s', 10_000, 9_000],
  ])('timeout=%s gives timeout %d ms and budget %d ms', (timeoutParam, timeoutMs, budgetMs) => {
    expect(reviewBudget({ ...base, timeoutParam })).toEqual({ timeoutMs, budgetMs });
  });

  it('uses the configured margin when smaller than half the timeout', () => {
    expect(reviewBudget({ ...base, deadlineMarginMs: 200, timeoutParam: '10s' })).toEqual({ timeoutMs: 10_000, budgetMs: 9_800 });
  });

  it('treats a negative margin as none', () => {
    expect(reviewBudget({ ...base, deadlineMarginMs: -5, timeoutParam: '10s' })).toEqual({ timeoutMs: 10_000, budgetMs: 10_000 });
  });
});

describe('timeoutQueryParam', () => {
  it.each([
    ['/validate?timeout=10s', '10s'],
    ['/validate?x=1&timeout=30s', '30s'],
    ['/validate?timeout=1m0s&x=1', '1m0s'],
    ['/validate', undefined],
    ['/validate?', undefined],
    ['/validate?timeouts=10s', undefined],
    ['/validate?timeout=1%C2%B5s', '1µs'],
  ])('%s -> %s', (target, expected) => {
    expect(timeoutQueryParam(target)).toBe(expected);
  });
});
