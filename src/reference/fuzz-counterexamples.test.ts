// Cases the fuzz properties (parse-reference.fuzz.test.ts) shrank to, kept as plain unit tests.
// Both are upstream behaviour (distribution/reference v0.6.0), which slimguard follows on purpose.
import { describe, expect, it } from 'vitest';
import { parseReference } from './parse-reference.js';

describe('reference counterexamples from fuzzing', () => {
  it('a first component that is not a valid host stays in the path, with an empty domain', () => {
    // "0__0.io" has a dot, so it looks like a host, but "__" is not allowed in a host name.
    const reference = parseReference('0__0.io/0');
    expect(reference.domain).toBe('');
    expect(reference.path).toBe('0__0.io/0');
    expect(reference.name).toBe('0__0.io/0');
    expect(parseReference(reference.toString()).toString()).toBe('0__0.io/0');
  });

  it('the familiar form of docker.io/a.0/0 is a.0/0, which names the host a.0', () => {
    const reference = parseReference('docker.io/a.0/0');
    expect(reference.toString()).toBe('docker.io/a.0/0');
    expect(reference.familiarString()).toBe('a.0/0');
    expect(parseReference(reference.familiarString()).domain).toBe('a.0');
  });
});
