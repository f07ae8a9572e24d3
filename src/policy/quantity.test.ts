import { describe, expect, it } from 'vitest';
import { InvalidQuantityError } from './errors.js';
import { formatBytes, parseQuantity, parseQuantityWithUnits } from './quantity.js';

describe('parseQuantity', () => {
  it.each([
    [0, 0],
    [1048576, 1048576],
    ['1048576', 1048576],
    ['1Ki', 1024],
    ['300Mi', 300 * 1024 ** 2],
    ['2Gi', 2 * 1024 ** 3],
    ['1Ti', 1024 ** 4],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['500k', 500_000],
    ['500K', 500_000],
    ['300M', 300_000_000],
    ['1G', 1_000_000_000],
    ['2T', 2_000_000_000_000],
    ['0.1Ki', 103], // rounded up to whole bytes, as Kubernetes does
    [' 300Mi ', 300 * 1024 ** 2],
  ] as const)('%j is %d bytes', (input, bytes) => {
    expect(parseQuantity(input)).toBe(bytes);
  });

  it.each([
    ['300Mi', 'binary'],
    ['300M', 'decimal'],
    [1000, 'binary'],
    ['1000', 'binary'],
  ] as const)('%j is written in %s units', (input, units) => {
    expect(parseQuantityWithUnits(input).units).toBe(units);
  });

  it.each([
    ['300MB', /did you mean 300M\?/],
    ['1GiB', /did you mean 1Gi\?/],
    ['300mi', /did you mean 300Mi\?/],
    ['300m', /did you mean 300M\?/],
    ['300Xi', /unknown unit "Xi"/],
    ['-5', /expected a byte count/],
    ['1e9', /expected a byte count/],
    ['', /expected a byte count/],
    ['12.5', /whole number/],
    ['lots', /expected a byte count/],
    [-1, /non-negative integer/],
    [1.5, /non-negative integer/],
    ['99999999999Ti', /too large/],
  ] as const)('rejects %j', (input, message) => {
    expect(() => parseQuantity(input)).toThrow(InvalidQuantityError);
    expect(() => parseQuantity(input)).toThrow(message);
  });

  it('carries a stable error code', () => {
    try {
      parseQuantity('x');
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidQuantityError).code).toBe('INVALID_QUANTITY');
    }
  });
});

describe('formatBytes', () => {
  it.each([
    [0, 'binary', '0 B'],
    [512, 'binary', '512 B'],
    [1024, 'binary', '1 KiB'],
    [1536, 'binary', '1.5 KiB'],
    [300 * 1024 ** 2, 'binary', '300 MiB'],
    [412 * 1024 ** 2, 'binary', '412 MiB'],
    [87.34 * 1024 ** 2, 'binary', '87.3 MiB'],
    [1.25 * 1024 ** 3, 'binary', '1.25 GiB'],
    [1024 ** 2 - 1, 'binary', '1 MiB'], // would round to "1024 KiB"
    [300_000_000, 'decimal', '300 MB'],
    [1_500_000_000, 'decimal', '1.5 GB'],
    [999, 'decimal', '999 B'],
    [1000, 'decimal', '1 kB'],
  ] as const)('%d bytes (%s) is %s', (bytes, units, text) => {
    expect(formatBytes(bytes, units)).toBe(text);
  });

  it('defaults to binary units', () => {
    expect(formatBytes(500 * 1024 ** 2)).toBe('500 MiB');
  });
});
