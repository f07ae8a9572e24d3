import { describe, expect, it } from 'vitest';
import { matchesAnyGlob, matchesGlob } from './glob.js';

describe('matchesGlob', () => {
  it.each([
    ['nginx', 'nginx', true],
    ['nginx', 'nginx2', false],
    ['nginx:*', 'nginx:1.27', true],
    ['team-*', 'team-a', true],
    ['team-*', 'team-', true],
    ['team-*', 'platform', false],
    ['ghcr.io/acme/*', 'ghcr.io/acme/api:1.0', true],
    ['ghcr.io/acme/*', 'ghcr.io/acme/tools/api:1.0', false], // * stays within a segment
    ['ghcr.io/acme/**', 'ghcr.io/acme/tools/api:1.0', true],
    ['**/api:*', 'ghcr.io/acme/tools/api:1.0', true],
    ['*', 'kube-system', true],
    ['*', 'a/b', false],
    ['**', 'a/b', true],
    ['app-?', 'app-1', true],
    ['app-?', 'app-12', false],
    ['app.v1', 'appxv1', false], // dots are literal
    ['a+b', 'a+b', true],
    ['(x)', '(x)', true],
    ['[ab]', 'a', false], // brackets are literal, not a class
    ['[ab]', '[ab]', true],
  ] as const)('%s vs %s -> %s', (pattern, text, expected) => {
    expect(matchesGlob(pattern, text)).toBe(expected);
  });

  it('any of several', () => {
    expect(matchesAnyGlob(['prod-*', 'staging'], 'staging')).toBe(true);
    expect(matchesAnyGlob(['prod-*', 'staging'], 'dev')).toBe(false);
    expect(matchesAnyGlob([], 'dev')).toBe(false);
  });
});
