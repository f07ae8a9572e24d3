import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContainerContext, SecurityContextFacts } from '../policy/types.js';
import { contextKey } from './verdict-memo.js';

const text = fc.string({ maxLength: 6 });
const labels = fc.option(fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }), { nil: undefined });
const securityContext: fc.Arbitrary<SecurityContextFacts | undefined> = fc.option(
  fc.record(
    {
      runAsUser: fc.integer({ min: -1, max: 70_000 }),
      runAsGroup: fc.integer({ min: 0, max: 3 }),
      runAsNonRoot: fc.boolean(),
      windowsOptions: fc.record({ runAsUserName: text, hostProcess: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ),
  { nil: undefined },
);
const context: fc.Arbitrary<ContainerContext> = fc.record(
  {
    namespace: text,
    containerName: text,
    namespaceLabels: labels,
    workloadLabels: labels,
    podSecurityContext: securityContext,
    containerSecurityContext: securityContext,
  },
  { requiredKeys: [] },
);

/** The context without the keys set to undefined, which evaluate() cannot tell from absent ones. */
function defined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null));
}

describe('contextKey', () => {
  it('gives two contexts the same key only when they are equal', () => {
    fc.assert(
      fc.property(context, context, (a, b) => {
        if (contextKey(a) === contextKey(b)) expect(defined(a)).toEqual(defined(b));
      }),
      { numRuns: 2_000 },
    );
  });

  it('gives a copy of a context the same key', () => {
    fc.assert(fc.property(context, (a) => contextKey(a) === contextKey(structuredClone(a))));
  });

  it('tells apart contexts that a naive concatenation would mix up', () => {
    expect(contextKey({ workloadLabels: { a: 'bc' } })).not.toBe(contextKey({ workloadLabels: { ab: 'c' } }));
    expect(contextKey({ namespace: 'a', containerName: 'b' })).not.toBe(contextKey({ namespace: 'ab' }));
    expect(contextKey({ podSecurityContext: { runAsUser: 0 } })).not.toBe(contextKey({ podSecurityContext: {} }));
    expect(contextKey({ podSecurityContext: { runAsUser: 1 } })).not.toBe(contextKey({ podSecurityContext: { runAsGroup: 1 } }));
    expect(contextKey({ podSecurityContext: { runAsNonRoot: true } })).not.toBe(contextKey({ containerSecurityContext: { runAsNonRoot: true } }));
    expect(contextKey({ namespaceLabels: {} })).not.toBe(contextKey({}));
  });
});
