import { describe, expect, it } from 'vitest';
import { OciFormatError } from './errors.js';

describe('OciFormatError', () => {
  it('carries code, message and cause and is an Error', () => {
    const cause = new SyntaxError('Unexpected token');
    const error = new OciFormatError('INVALID_MANIFEST', 'manifest is not valid JSON', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('OciFormatError');
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toBe('manifest is not valid JSON');
    expect(error.cause).toBe(cause);
  });

  it('has no cause when none is given', () => {
    expect(new OciFormatError('INVALID_DIGEST', 'bad').cause).toBeUndefined();
  });
});
