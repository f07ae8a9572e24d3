// Port of TestParseDigest from github.com/opencontainers/go-digest v1.0.0 (the digest rules
// distribution/reference applies), table in upstream order with upstream comments.
import { describe, expect, it } from 'vitest';
import { findDigestProblem, isDigest, parseDigestString } from './digest.js';
import { InvalidReferenceError, type InvalidReferenceErrorCode } from './errors.js';

describe('TestParseDigest', () => {
  const tests: { input: string; err?: InvalidReferenceErrorCode; algorithm?: string; encoded?: string }[] = [
    {
      input: "sha256:e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b",
      algorithm: "sha256",
      encoded: "e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b",
    },
    {
      input: "sha384:d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d",
      algorithm: "sha384",
      encoded: "d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d",
    },
    {
      // empty hex
      input: "sha256:",
      err: 'DIGEST_INVALID_FORMAT',
    },
    {
      // empty hex
      input: ":",
      err: 'DIGEST_INVALID_FORMAT',
    },
    {
      // just hex
      input: "d41d8cd98f00b204e9800998ecf8427e",
      err: 'DIGEST_INVALID_FORMAT',
    },
    {
      // not hex
      input: "sha256:d41d8cd98f00b204e9800m98ecf8427e",
      err: 'DIGEST_INVALID_LENGTH',
    },
    {
      // too short
      input: "sha256:abcdef0123456789",
      err: 'DIGEST_INVALID_LENGTH',
    },
    {
      // too short (from different algorithm)
      input: "sha512:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789",
      err: 'DIGEST_INVALID_LENGTH',
    },
    {
      input: "foo:d41d8cd98f00b204e9800998ecf8427e",
      err: 'DIGEST_UNSUPPORTED',
    },
    {
      // repeated separators
      input: "sha384__foo+bar:d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d",
      err: 'DIGEST_INVALID_FORMAT',
    },
    {
      // ensure that we parse, but we don't have support for the algorithm
      input: "sha384.foo+bar:d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d",
      algorithm: "sha384.foo+bar",
      encoded: "d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d",
      err: 'DIGEST_UNSUPPORTED',
    },
    {
      input: "sha384_foo+bar:d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d",
      algorithm: "sha384_foo+bar",
      encoded: "d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d",
      err: 'DIGEST_UNSUPPORTED',
    },
    {
      input: "sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
      algorithm: "sha256+b64",
      encoded: "LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564",
      err: 'DIGEST_UNSUPPORTED',
    },
    {
      input: "sha256:E58FCF7418D4390DEC8E8FB69D88C06EC07039D651FEDD3AA72AF9972E7D046B",
      err: 'DIGEST_INVALID_FORMAT',
    },
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(14);
  });

  it.each(tests)('$input', (testcase) => {
    expect(findDigestProblem(testcase.input)?.code).toBe(testcase.err);
    if (testcase.err !== undefined) {
      expect(() => parseDigestString(testcase.input)).toThrow(
        expect.objectContaining({ name: 'InvalidReferenceError', code: testcase.err, input: testcase.input }),
      );
      expect(isDigest(testcase.input)).toBe(false);
      return;
    }
    const digest = parseDigestString(testcase.input);
    const colon = digest.indexOf(':');
    expect(digest.slice(0, colon)).toBe(testcase.algorithm);
    expect(digest.slice(colon + 1)).toBe(testcase.encoded);
    // Parse string return value and check equality
    expect(parseDigestString(digest)).toBe(digest);
    expect(isDigest(testcase.input)).toBe(true);
  });
});

describe('digest messages', () => {
  it('say what is wrong and quote the digest', () => {
    expect(() => parseDigestString('sha256:abc')).toThrow(
      'invalid digest "sha256:abc": invalid checksum digest length: sha256 needs 64 hex digits, got 3',
    );
    expect(() => parseDigestString('md5:' + 'a'.repeat(32))).toThrow(/unsupported digest algorithm "md5"/);
  });

  it('are InvalidReferenceErrors', () => {
    expect(() => parseDigestString('nope')).toThrow(InvalidReferenceError);
  });

  it('isDigest refuses what is not a string', () => {
    expect(isDigest(42)).toBe(false);
    expect(isDigest(undefined)).toBe(false);
  });
});
