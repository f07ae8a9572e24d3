import { describe, expect, it } from 'vitest';
import {
  CredentialsError,
  parseDistributionErrors,
  parseRetryAfter,
  RegistryError,
  RegistryInputError,
  registryErrorFromResponse,
} from './errors.js';

const body = (...errors: unknown[]): string => JSON.stringify({ errors });

describe('parseDistributionErrors', () => {
  it.each([
    ['empty text', '', []],
    ['not JSON', '<html>502 Bad Gateway</html>', []],
    ['JSON null', 'null', []],
    ['JSON array', '[{"code":"X"}]', []],
    ['errors not an array', '{"errors":{"code":"X"}}', []],
    ['entry without code', body({ message: 'm' }), []],
    ['entry with numeric code', body({ code: 404 }), []],
    ['entry with empty code', body({ code: '' }), []],
    ['non-object entries', body(null, 'x', 3, [1]), []],
    ['missing message', body({ code: 'NAME_UNKNOWN' }), [{ code: 'NAME_UNKNOWN', message: '' }]],
    ['lowercase code', body({ code: 'manifest_unknown', message: 'm' }), [{ code: 'MANIFEST_UNKNOWN', message: 'm' }]],
  ])('%s', (_name, text, expected) => {
    expect(parseDistributionErrors(text)).toEqual(expected);
  });

  it('keeps detail of any shape', () => {
    const detail = [{ Type: 'repository', Name: 'library/nginx', Action: 'pull' }];
    expect(parseDistributionErrors(body({ code: 'UNAUTHORIZED', message: 'authentication required', detail }))).toEqual([
      { code: 'UNAUTHORIZED', message: 'authentication required', detail },
    ]);
  });

  it('caps the number of entries and the message length of a hostile body', () => {
    const many = body(...Array.from({ length: 1000 }, () => ({ code: 'DENIED', message: 'x'.repeat(5000) })));
    const parsed = parseDistributionErrors(many);
    expect(parsed).toHaveLength(10);
    expect(parsed[0]?.message.length).toBe(500);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  it.each([
    ['120', 120_000],
    [' 0 ', 0],
    ['Wed, 01 May 2024 12:00:30 GMT', 30_000],
    ['Wed, 01 May 2024 11:00:00 GMT', 0], // in the past: no wait, never negative
    ['-5', undefined],
    ['1.5', undefined],
    ['soon', undefined],
    ['2024', 2_024_000], // delay-seconds, not a year
    ['2024-05-01', undefined], // Date.parse accepts it; it is no HTTP date
    ['', undefined],
    ['99999999999999999999', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('registryErrorFromResponse', () => {
  const registry = 'registry.example.com';
  const image = 'registry.example.com/team/app:1.0';

  it.each([
    { status: 401, bodyText: body({ code: 'UNAUTHORIZED' }), code: 'UNAUTHORIZED', temporary: false, says: 'add a pull secret / docker config for registry.example.com' },
    { status: 403, bodyText: body({ code: 'DENIED' }), code: 'DENIED', temporary: false, says: 'access denied' },
    { status: 404, bodyText: body({ code: 'MANIFEST_UNKNOWN' }), code: 'NOT_FOUND', temporary: false, says: 'manifest unknown: check the tag exists in registry registry.example.com' },
    { status: 404, bodyText: body({ code: 'NAME_UNKNOWN' }), code: 'NOT_FOUND', temporary: false, says: 'repository unknown: check the image name' },
    { status: 404, bodyText: body({ code: 'BLOB_UNKNOWN' }), code: 'NOT_FOUND', temporary: false, says: 'blob unknown' },
    { status: 404, bodyText: 'nope', code: 'NOT_FOUND', temporary: false, says: 'not found: check the image name and tag' },
    { status: 408, bodyText: '', code: 'TIMEOUT', temporary: true, says: 'timed out' },
    { status: 429, bodyText: body({ code: 'TOOMANYREQUESTS' }), code: 'TOO_MANY_REQUESTS', temporary: true, says: 'rate limited' },
    // Rate limits signalled only in the body still count as rate limits.
    { status: 403, bodyText: body({ code: 'TOOMANYREQUESTS' }), code: 'TOO_MANY_REQUESTS', temporary: true, says: 'rate limited' },
    { status: 500, bodyText: '', code: 'SERVER_ERROR', temporary: true, says: 'server error' },
    { status: 502, bodyText: '<html>', code: 'SERVER_ERROR', temporary: true, says: 'server error' },
    { status: 503, bodyText: '', code: 'SERVER_ERROR', temporary: true, says: 'retry later' },
    { status: 400, bodyText: body({ code: 'MANIFEST_INVALID' }), code: 'BAD_RESPONSE', temporary: false, says: 'unexpected response' },
    { status: 418, bodyText: '', code: 'BAD_RESPONSE', temporary: false, says: 'unexpected response' },
  ])('HTTP $status $bodyText → $code', ({ status, bodyText, code, temporary, says }) => {
    const error = registryErrorFromResponse({ status, bodyText, registry, image });
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.temporary).toBe(temporary);
    expect(error.status).toBe(status);
    expect(error.registry).toBe(registry);
    expect(error.image).toBe(image);
    expect(error.message).toContain(says);
    expect(error.message.startsWith(`${image}: `)).toBe(true);
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it('formats <image>: <what> (<registry>, HTTP <status>, <DIST_CODE>)', () => {
    const error = registryErrorFromResponse({ status: 404, bodyText: body({ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }), registry, image });
    expect(error.message).toBe(
      `${image}: manifest unknown: check the tag exists in registry ${registry} (${registry}, HTTP 404, MANIFEST_UNKNOWN)`,
    );
    expect(error.errors).toEqual([{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }]);
  });

  it('leads with the registry, once, when no image is known', () => {
    const error = registryErrorFromResponse({ status: 503, registry });
    expect(error.message).toBe(`${registry}: registry ${registry} failed with a server error: retry later (HTTP 503)`);
    expect(error.image).toBeUndefined();
  });

  it('says credentials were rejected when they were sent', () => {
    const error = registryErrorFromResponse({ status: 401, registry, authenticated: true });
    expect(error.message).toContain('credentials rejected');
  });

  it('never copies the registry-supplied message text into the error message', () => {
    const hostile = 'Bearer eyJhbGciOi.secret.token \u001b[31m injected';
    const error = registryErrorFromResponse({ status: 401, bodyText: body({ code: 'UNAUTHORIZED', message: hostile }), registry });
    expect(error.message).not.toContain('eyJhbGciOi');
    expect(error.message).not.toContain('injected');
    expect(error.errors[0]?.message).toBe(hostile);
  });

  it.each([
    ['Headers', new Headers({ 'Retry-After': '7' })],
    ['undici header record', { 'retry-after': '7' }],
    ['record with other casing', { 'Retry-After': '7' }],
    ['record with an array value', { 'retry-after': ['7', '99'] }],
  ])('reads Retry-After from %s', (_name, headers) => {
    const error = registryErrorFromResponse({ status: 429, headers, registry });
    expect(error.retryAfterMs).toBe(7000);
  });

  it('reads an HTTP-date Retry-After against the given clock', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    const error = registryErrorFromResponse({
      status: 503,
      headers: { 'retry-after': 'Wed, 01 May 2024 12:01:00 GMT' },
      registry,
      now,
    });
    expect(error.retryAfterMs).toBe(60_000);
  });

  it('ignores an invalid Retry-After', () => {
    expect(registryErrorFromResponse({ status: 429, headers: { 'retry-after': 'later' }, registry }).retryAfterMs).toBeUndefined();
  });
});

describe('RegistryError', () => {
  it.each([
    ['NETWORK', true],
    ['TIMEOUT', true],
    ['TOO_MANY_REQUESTS', true],
    ['SERVER_ERROR', true],
    ['DIGEST_MISMATCH', false],
    ['SSRF_BLOCKED', false],
  ] as const)('%s defaults temporary to %s', (code, temporary) => {
    expect(new RegistryError({ code, registry: 'r', what: 'x' }).temporary).toBe(temporary);
  });

  it('lets the caller override temporary and keeps the cause', () => {
    const cause = new Error('ECONNRESET');
    const error = new RegistryError({ code: 'NETWORK', registry: 'r', what: 'x', temporary: false, cause });
    expect(error.temporary).toBe(false);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('RegistryError');
  });

  it('uses a complete message as is', () => {
    expect(new RegistryError({ code: 'SSRF_BLOCKED', registry: 'r', message: 'refusing to contact r' }).message).toBe('refusing to contact r');
  });
});

describe('other errors', () => {
  it('CredentialsError and RegistryInputError carry a code and extend Error', () => {
    const credentials = new CredentialsError({ code: 'INVALID_DOCKER_CONFIG', source: 's', message: 'm' });
    const input = new RegistryInputError({ code: 'INVALID_REGISTRY_HOST', message: 'm' });
    expect(credentials).toBeInstanceOf(Error);
    expect(credentials.code).toBe('INVALID_DOCKER_CONFIG');
    expect(input).toBeInstanceOf(Error);
    expect(input.code).toBe('INVALID_REGISTRY_HOST');
  });
});
