import { describe, expect, it } from 'vitest';
import { matchesLabelSelector, type LabelSelector } from './label-selector.js';

const labels = { app: 'trainer', tier: 'batch', 'team.acme.io/owner': 'ml' };

describe('matchesLabelSelector', () => {
  it.each<[string, LabelSelector, boolean]>([
    ['empty selector matches everything', {}, true],
    ['matchLabels equal', { matchLabels: { app: 'trainer' } }, true],
    ['matchLabels all must match', { matchLabels: { app: 'trainer', tier: 'web' } }, false],
    ['matchLabels missing key', { matchLabels: { zone: 'a' } }, false],
    ['In with value', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['batch', 'ml'] }] }, true],
    ['In without value', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, false],
    ['In on absent key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn other value', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, true],
    ['NotIn same value', { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['batch'] }] }, false],
    ['NotIn absent key', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'team.acme.io/owner', operator: 'Exists' }] }, true],
    ['Exists absent', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist absent', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [
      'labels AND expressions',
      { matchLabels: { app: 'trainer' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
      false,
    ],
  ])('%s', (_name, selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });

  it('does not read inherited properties as labels', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {})).toBe(false);
  });
});
