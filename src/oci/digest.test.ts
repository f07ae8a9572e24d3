import { describe, expect, it } from 'vitest';
import { isDigest, parseDigest } from './digest.js';
import { OciFormatError } from './errors.js';

const SHA256 = `sha256:${'a1'.repeat(32)}`;
const SHA512 = `sha512:${'0f'.repeat(64)}`;

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof OciFormatError ? error.code : `not OciFormatError: ${String(error)}`;
  }
}

describe('parseDigest', () => {
  it('parses sha256 and sha512', () => {
    expect(parseDigest(SHA256)).toEqual({ algorithm: 'sha256', encoded: 'a1'.repeat(32) });
    expect(parseDigest(SHA512)).toEqual({ algorithm: 'sha512', encoded: '0f'.repeat(64) });
  });

  it.each([
    ['no colon', 'a1'.repeat(32)],
    ['empty', ''],
    ['upper-case hex', `sha256:${'A1'.repeat(32)}`],
    ['too short', `sha256:${'a'.repeat(63)}`],
    ['too long', `sha256:${'a'.repeat(65)}`],
    ['sha512 with sha256 length', `sha512:${'a'.repeat(64)}`],
    ['non-hex', `sha256:${'g'.repeat(64)}`],
    ['unknown algorithm', `md5:${'a'.repeat(32)}`],
    ['upper-case algorithm', `SHA256:${'a'.repeat(64)}`],
    ['trailing newline', `${SHA256}\n`],
    ['second colon', `sha256:${'a'.repeat(32)}:${'a'.repeat(31)}`],
  ])('rejects %s', (_name, text) => {
    expect(codeOf(() => parseDigest(text))).toBe('INVALID_DIGEST');
    expect(isDigest(text)).toBe(false);
  });

  it('says what a valid digest looks like', () => {
    expect(() => parseDigest(`sha256:${'a'.repeat(10)}`)).toThrow(/exactly 64 lower-case hex digits/);
    expect(() => parseDigest(`blake3:${'a'.repeat(64)}`)).toThrow(/unsupported algorithm "blake3"/);
  });

  it('isDigest is false for non-strings', () => {
    expect(isDigest(SHA256)).toBe(true);
    expect(isDigest(undefined)).toBe(false);
    expect(isDigest(42)).toBe(false);
    expect(codeOf(() => parseDigest(42 as unknown as string))).toBe('INVALID_DIGEST');
  });
});
