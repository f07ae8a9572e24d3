import { describe, expect, it } from 'vitest';
import { parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    ['0.0.0.0:8443', { host: '0.0.0.0', port: 8443 }],
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('parses %s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each(['8443', 'host:', 'host:99999', '::1:80', 'a:b'])('rejects %s', (text) => {
    expect(() => parseListenAddress(text)).toThrow(/invalid listen address/);
  });
});
