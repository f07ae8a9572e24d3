import type { V1Namespace } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { namespaceLabelsFrom } from './namespace-labels.js';

const namespaces = new Map<string, V1Namespace>([
  ['team-a', { metadata: { name: 'team-a', labels: { 'slimguard.io/mode': 'warn' } } }],
  ['bare', { metadata: { name: 'bare' } }],
]);
const cache = { get: (name: string) => namespaces.get(name) };

describe('namespaceLabelsFrom', () => {
  it('returns the labels of a known namespace, {} when it has none', () => {
    expect(namespaceLabelsFrom(cache, 'team-a')).toEqual({ 'slimguard.io/mode': 'warn' });
    expect(namespaceLabelsFrom(cache, 'bare')).toEqual({});
  });

  it('is undefined for an unknown namespace', () => {
    expect(namespaceLabelsFrom(cache, 'nope')).toBeUndefined();
  });

  it('returns a copy the caller cannot use to change the cache', () => {
    const labels = namespaceLabelsFrom(cache, 'team-a')!;
    labels['slimguard.io/mode'] = 'off';
    expect(namespaceLabelsFrom(cache, 'team-a')).toEqual({ 'slimguard.io/mode': 'warn' });
  });
});
