import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl } from './redact.js';

describe('redactHeaders', () => {
  it.each([
    ['Bearer token keeps its scheme', { Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.payload.sig' }, { Authorization: 'Bearer <redacted>' }],
    ['Basic keeps its scheme', { authorization: 'Basic YWxpY2U6aHVudGVyMg==' }, { authorization: 'Basic <redacted>' }],
    ['unknown scheme is redacted whole', { authorization: 'hunter2 more' }, { authorization: '<redacted>' }],
    ['bare credential', { authorization: 'hunter2' }, { authorization: '<redacted>' }],
    ['scheme without credential', { authorization: 'Bearer' }, { authorization: '<redacted>' }],
    ['proxy authorization', { 'Proxy-Authorization': 'Basic abc' }, { 'Proxy-Authorization': 'Basic <redacted>' }],
    ['cookie', { Cookie: 'session=hunter2' }, { Cookie: '<redacted>' }],
    ['set-cookie array', { 'set-cookie': ['a=hunter2', 'b=hunter2'] }, { 'set-cookie': ['<redacted>', '<redacted>'] }],
    ['docker engine auth header', { 'X-Registry-Auth': 'eyJ1c2VybmFtZSI6Imh1bnRlcjIifQ' }, { 'X-Registry-Auth': '<redacted>' }],
    ['harmless headers stay', { accept: 'application/json', 'content-length': 12 }, { accept: 'application/json', 'content-length': '12' }],
    [
      'www-authenticate stays (no secret, useful)',
      { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token"' },
      { 'www-authenticate': 'Bearer realm="https://auth.docker.io/token"' },
    ],
    ['undefined values are dropped', { authorization: undefined, accept: 'x' }, { accept: 'x' }],
  ] as [string, Record<string, string | string[] | number | undefined>, Record<string, string | string[]>][])(
    '%s',
    (_name, headers, expected) => {
      const result = redactHeaders(headers);
      expect(result).toEqual(expected);
      expect(JSON.stringify(result)).not.toContain('hunter2');
    },
  );

  it('accepts Headers and pair lists', () => {
    expect(redactHeaders(new Headers({ Authorization: 'Bearer hunter2', Accept: 'x' }))).toEqual({
      authorization: 'Bearer <redacted>',
      accept: 'x',
    });
    expect(redactHeaders([['Cookie', 'hunter2']])).toEqual({ Cookie: '<redacted>' });
    expect(redactHeaders(new Map([['authorization', 'Basic hunter2']]))).toEqual({ authorization: 'Basic <redacted>' });
  });

  it('does not change its input', () => {
    const headers = { authorization: 'Bearer hunter2' };
    redactHeaders(headers);
    expect(headers.authorization).toBe('Bearer hunter2');
  });
});

describe('redactUrl', () => {
  it.each([
    ['user info', 'https://alice:hunter2@registry.example.com/v2/', 'https://registry.example.com/v2/'],
    ['user only', 'https://hunter2@registry.example.com/v2/', 'https://registry.example.com/v2/'],
    [
      'token endpoint query',
      'https://auth.example.com/token?service=reg&scope=repository:a:pull&access_token=hunter2',
      'https://auth.example.com/token?service=reg&scope=repository:a:pull&access_token=<redacted>',
    ],
    [
      'S3 pre-signed redirect',
      'https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAhunter2&X-Amz-Security-Token=hunter2&X-Amz-Signature=hunter2&X-Amz-Expires=900',
      'https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=<redacted>&X-Amz-Security-Token=<redacted>&X-Amz-Signature=<redacted>&X-Amz-Expires=900',
    ],
    ['Azure SAS', 'https://acct.blob.core.windows.net/c/b?sv=2020&sig=hunter2&se=2030', 'https://acct.blob.core.windows.net/c/b?sv=2020&sig=<redacted>&se=2030'],
    ['GCS', 'https://storage.googleapis.com/b/o?X-Goog-Signature=hunter2', 'https://storage.googleapis.com/b/o?X-Goog-Signature=<redacted>'],
    ['password and secret', 'http://h/p?password=hunter2&client_secret=hunter2&a=1', 'http://h/p?password=<redacted>&client_secret=<redacted>&a=1'],
    ['encoded name', 'http://h/p?%74oken=hunter2', 'http://h/p?%74oken=<redacted>'],
    ['name without value', 'http://h/p?token', 'http://h/p?token'],
    ['repeated name', 'http://h/p?token=hunter2&token=hunter2', 'http://h/p?token=<redacted>&token=<redacted>'],
    ['fragment dropped', 'https://h/cb#access_token=hunter2', 'https://h/cb'],
    ['no query', 'https://registry.example.com:5000/v2/a/manifests/1', 'https://registry.example.com:5000/v2/a/manifests/1'],
    ['IPv6 host', 'http://u:hunter2@[::1]:5000/v2/?token=hunter2', 'http://[::1]:5000/v2/?token=<redacted>'],
    ['not a URL', 'hunter2 is not a url', '<unparseable url>'],
    ['empty', '', '<unparseable url>'],
  ])('%s', (_name, url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    expect(redactUrl(url)).not.toContain('hunter2');
  });

  it('accepts URL objects without changing them', () => {
    const url = new URL('https://a:hunter2@h/p?token=hunter2');
    expect(redactUrl(url)).toBe('https://h/p?token=<redacted>');
    expect(url.password).toBe('hunter2');
  });
});
