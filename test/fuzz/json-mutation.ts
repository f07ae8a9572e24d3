// Structural mutations of JSON documents for the fuzz properties: take a real document (a
// manifest from testdata, an AdmissionReview kubectl made) and replace, delete or duplicate a
// few values anywhere in it, so the cases stay close to what parsers really see.
import fc from 'fast-check';

type Json = unknown;

/** Every path to a value inside a JSON document, the root included. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(...value.map((item, i) => paths(item, [...prefix, i])));
  if (value !== null && typeof value === 'object') return here.concat(...Object.entries(value).map(([k, v]) => paths(v, [...prefix, k])));
  return here;
}

export type Mutation = [at: number, how: 'replace' | 'delete' | 'duplicate', replacement: Json];

/** One mutation: where (an index into the document's paths), how, and the replacement value. */
export const mutation: fc.Arbitrary<Mutation> = fc.tuple(fc.nat(), fc.constantFrom('replace' as const, 'delete' as const, 'duplicate' as const), fc.jsonValue({ maxDepth: 2 }));

/** Applies the mutations to a copy of the document. */
export function mutate(document: Json, mutations: Mutation[]): Json {
  let result = structuredClone(document);
  for (const [at, how, replacement] of mutations) {
    const all = paths(result);
    const path = all[at % all.length]!;
    if (path.length === 0) {
      if (how === 'replace') result = replacement;
      continue;
    }
    const parent = path.slice(0, -1).reduce<any>((node, key) => node[key], result);
    const key = path[path.length - 1]!;
    if (how === 'replace') parent[key] = replacement;
    else if (how === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
    } else if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]));
  }
  return result;
}

/** A seed document with one to four mutations. */
export function mutatedFrom<T>(seeds: T[]): fc.Arbitrary<Json> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([seed, mutations]) => mutate(seed, mutations));
}
