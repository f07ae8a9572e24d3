// Holds slimguard's parsers to the answers of the real Go implementation (distribution/reference
// v0.6.0 with go-digest v1.0.0), recorded in testdata/go-golden.json by
// testdata/generate-go-golden.go: hand-picked edge cases (Docker Hub forms, localhost, IPv6,
// upper case, Unicode case folding, length limits, digests, tags) and a sample of every outcome
// seen while differentially fuzzing the two implementations.
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from './errors.js';
import { parseRaw, parseReference } from './parse-reference.js';
import type { Reference } from './reference.js';
import golden from './testdata/go-golden.json' with { type: 'json' };

interface GoResult {
  error?: string;
  string?: string;
  domain?: string;
  path?: string;
  tag?: string;
  digest?: string;
  familiar?: string;
}

/** The same projection the Go generator prints, with Go's "" for absent parts. */
function describeResult(parse: (text: string) => Reference, input: string): GoResult {
  let ref: Reference;
  try {
    ref = parse(input);
  } catch (error) {
    if (!(error instanceof InvalidReferenceError)) throw error;
    return { error: error.code };
  }
  const result: GoResult = { string: ref.toString() };
  if (ref.domain !== '') result.domain = ref.domain;
  if (ref.path !== '') result.path = ref.path;
  if (ref.tag !== undefined) result.tag = ref.tag;
  if (ref.digest !== undefined) result.digest = ref.digest;
  result.familiar = ref.familiarString();
  return result;
}

const cases = (golden as { input: string; parse: GoResult; parseNormalizedNamed: GoResult }[]).map((entry, index) => ({
  ...entry,
  label: `#${index} ${JSON.stringify(entry.input).slice(0, 80)}`,
}));

describe('agreement with github.com/distribution/reference v0.6.0', () => {
  it('has the recorded cases', () => {
    expect(cases.length).toBeGreaterThan(200);
  });

  it.each(cases)('Parse $label', (entry) => {
    expect(describeResult(parseRaw, entry.input)).toEqual(entry.parse);
  });

  it.each(cases)('ParseNormalizedNamed $label', (entry) => {
    expect(describeResult(parseReference, entry.input)).toEqual(entry.parseNormalizedNamed);
  });
});
