// Property tests (fast-check) for reference parsing: image references come from untrusted pod
// specs, so no text may make a parser throw anything but InvalidReferenceError, and a parsed
// reference must print back to text that parses to the same reference.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty, fuzzRuns } from '../../test/fuzz/fuzz-runs.js';
import { InvalidReferenceError } from './errors.js';
import { parseAnyReference, parseDockerRef, parseNamed, parseRaw, parseReference } from './parse-reference.js';

const component = fc.stringMatching(/^[a-z0-9]{1,8}(?:(?:[._]|__|-+)[a-z0-9]{1,8}){0,2}$/);
const domain = fc.oneof(
  fc.constantFrom('', 'docker.io/', 'index.docker.io/', 'localhost/', 'localhost:5000/', 'ghcr.io/', 'Registry.Example.COM:443/', '[::1]:5000/', '127.0.0.1:5000/', 'a.b-c.d/'),
  component.map((c) => `${c}.io/`),
);
const tag = fc.stringMatching(/^[\w][\w.-]{0,40}$/);
const digest = fc.oneof(
  fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`),
  fc.stringMatching(/^[a-f0-9]{128}$/).map((hex) => `sha512:${hex}`),
);

/** Reference-shaped text: mostly valid, sometimes with a character inserted, dropped or upper-cased. */
const referenceLike = fc
  .tuple(domain, fc.array(component, { minLength: 1, maxLength: 4 }), fc.option(tag), fc.option(digest))
  .map(([d, path, t, dg]) => `${d}${path.join('/')}${t === null ? '' : `:${t}`}${dg === null ? '' : `@${dg}`}`);
const mutated = fc.tuple(referenceLike, fc.nat(), fc.constantFrom('insert', 'drop', 'upper'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 2 })).map(
  ([text, at, how, char]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === 'insert') return text.slice(0, i) + char + text.slice(i);
    if (how === 'drop') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + text.slice(i).toUpperCase();
  },
);
const anyText = fc.oneof(
  referenceLike,
  mutated,
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 200, maxLength: 600 }),
);

function throwsOnlyInvalidReference(parse: (text: string) => unknown, text: string): void {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidReferenceError);
    expect((error as InvalidReferenceError).message.length).toBeLessThan(1_000);
  }
}

describe('reference parsers (fuzzed)', () => {
  it('never throw anything but InvalidReferenceError, whatever the text', async () => {
    await assertProperty(
      'reference parsers throw only InvalidReferenceError',
      fc.property(anyText, (text) => {
        for (const parse of [parseReference, parseRaw, parseNamed, parseDockerRef, parseAnyReference]) throwsOnlyInvalidReference(parse, text);
      }),
      fuzzRuns(500, 0.25),
    );
  });

  it('normalization is idempotent: toString() and familiarString() parse back to the same reference', async () => {
    await assertProperty(
      'parseReference normalization is idempotent',
      fc.property(fc.oneof(referenceLike, mutated), (text) => {
        let reference;
        try {
          reference = parseReference(text);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidReferenceError);
          return;
        }
        const normalized = reference.toString();
        // As upstream: a first component that is not a valid host (`a__b.io/x`) leaves the domain empty.
        expect(reference.name).toBe(reference.domain === '' ? reference.path : `${reference.domain}/${reference.path}`);
        expect(parseReference(normalized).toString()).toBe(normalized);
        expect(parseReference(normalized).familiarString()).toBe(reference.familiarString());
        // Upstream's FamiliarString strips `docker.io/` even when what is left starts with a
        // host-like component (`docker.io/a.b/c` -> `a.b/c`, which names host a.b): the same here,
        // so the familiar form round-trips only when its first component cannot be a host.
        const first = reference.familiarString().split('/')[0]!;
        if (!/[.:]/.test(first) && first !== 'localhost') {
          expect(parseReference(reference.familiarString()).toString()).toBe(normalized);
        }
        expect(parseDockerRef(normalized).toString()).toBe(parseDockerRef(text).toString());
      }),
      fuzzRuns(500, 0.25),
    );
  });
});
