import { describe, expect, it } from 'vitest';
import { matchCatalog } from './layer-prefix.js';
import type { BuildBaseFacts, ResolvedCatalogEntry } from './types.js';

const facts = (diffIds: string[], digests: string[]): BuildBaseFacts => ({
  reference: 'registry.example.com/app:1',
  env: [],
  labels: {},
  annotations: {},
  history: [],
  diffIds,
  layers: digests.map((digest) => ({ digest })),
});
const entry = (reference: string, diffIds: string[], layerDigests: string[] = []): ResolvedCatalogEntry => ({ reference, ecosystem: 'go', diffIds, layerDigests });

describe('matchCatalog', () => {
  it('matches when the image starts with every layer of the entry', () => {
    expect(matchCatalog(facts(['d1', 'd2', 'd3'], []), [entry('golang:1.22', ['d1', 'd2'])])).toMatchObject({ by: 'diffIds', layers: 2, of: 3 });
  });

  it('matches an image that is the catalog image itself', () => {
    expect(matchCatalog(facts(['d1', 'd2'], []), [entry('golang:1.22', ['d1', 'd2'])])?.layers).toBe(2);
  });

  it('does not match a different order, a gap, or a longer base', () => {
    expect(matchCatalog(facts(['d2', 'd1', 'd3'], []), [entry('a', ['d1', 'd2'])])).toBeUndefined();
    expect(matchCatalog(facts(['d1', 'x', 'd2'], []), [entry('a', ['d1', 'd2'])])).toBeUndefined();
    expect(matchCatalog(facts(['d1'], []), [entry('a', ['d1', 'd2'])])).toBeUndefined();
  });

  it('never matches an entry without layers', () => {
    expect(matchCatalog(facts(['d1'], ['l1']), [entry('a', [], [])])).toBeUndefined();
  });

  it('falls back to compressed digests', () => {
    expect(matchCatalog(facts([], ['l1', 'l2']), [entry('a', ['d1'], ['l1'])])).toMatchObject({ by: 'layerDigests', layers: 1 });
  });

  it('picks the entry with the most layers', () => {
    const match = matchCatalog(facts(['d1', 'd2', 'd3'], []), [entry('debian', ['d1']), entry('golang', ['d1', 'd2']), entry('other', ['x'])]);
    expect(match?.entry.reference).toBe('golang');
  });
});
