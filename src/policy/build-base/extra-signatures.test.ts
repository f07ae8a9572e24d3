import { describe, expect, it } from 'vitest';
import { compileSignatures, signatureProblems } from './extra-signatures.js';

describe('signatureProblems', () => {
  it('accepts a well-formed signature', () => {
    expect(signatureProblems({ name: 'acme', ecosystem: 'go', env: ['^ACME='], history: ['acme-install'], remediation: 'x' })).toEqual([]);
  });

  it.each([
    [null, 'must be an object'],
    [{ ecosystem: 'go', env: ['x'] }, 'name must be a non-empty string'],
    [{ name: 'a', ecosystem: 'cobol', env: ['x'] }, 'ecosystem must be one of'],
    [{ name: 'a', ecosystem: 'go' }, 'needs at least one env or history pattern'],
    [{ name: 'a', ecosystem: 'go', env: 'x' }, 'env must be a list'],
    [{ name: 'a', ecosystem: 'go', history: ['(oops'] }, 'is not a regular expression'],
    [{ name: 'a', ecosystem: 'go', env: ['x'], remediation: 3 }, 'remediation must be a string'],
  ])('reports %j', (value, problem) => {
    expect(signatureProblems(value).join('\n')).toContain(problem);
  });
});

describe('compileSignatures', () => {
  it('compiles the good ones and names the rejected ones', () => {
    const { compiled, rejected } = compileSignatures([
      { name: 'good', ecosystem: 'java', history: ['^RUN .*acme'] },
      { name: 'bad', ecosystem: 'java', history: ['['] },
      42,
    ]);
    expect(compiled.map((entry) => entry.signature.name)).toEqual(['good']);
    expect(compiled[0]?.history[0]?.test('RUN install acme')).toBe(true);
    expect(rejected.map((entry) => entry.name)).toEqual(['bad', '(unnamed)']);
  });
});
