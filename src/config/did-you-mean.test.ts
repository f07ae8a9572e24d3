import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['maxcompresedsize', 'maxcompressedsize', 1],
    ['enfroce', 'enforce', 1], // adjacent swap is one edit
    ['ab', 'ba', 1],
  ])('%j vs %j = %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
  });
});

describe('didYouMean', () => {
  const keys = ['mode', 'maxCompressedSize', 'warnAtPercent', 'overrides'];
  it.each([
    ['maxCompresedSize', keys, 'maxCompressedSize'],
    ['maxcompressedsize', keys, 'maxCompressedSize'], // case only
    ['warnAtPercentage', keys, 'warnAtPercent'],
    ['mdoe', keys, 'mode'],
    ['override', keys, 'overrides'],
    ['budget', keys, undefined],
    ['x', keys, undefined],
    ['enfroce', ['enforce', 'warn', 'audit', 'off'], 'enforce'],
    ['Enforce', ['enforce', 'warn', 'audit', 'off'], 'enforce'],
    ['block', ['enforce', 'warn', 'audit', 'off'], undefined],
    ['buildbase', ['runAsRoot', 'sizeBudget', 'buildBase'], 'buildBase'],
  ] as const)('%j -> %j', (word, candidates, expected) => {
    expect(didYouMean(word, candidates)).toBe(expected);
  });
});
