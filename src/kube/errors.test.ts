import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { describeKubeError, statusCodeOf } from './errors.js';

describe('describeKubeError', () => {
  it("keeps an ApiException's status and Status message, not its headers", () => {
    const body = JSON.stringify({ kind: 'Status', code: 403, message: 'namespaces is forbidden: User "x" cannot list' });
    const error = new ApiException(403, 'Unknown API Status Code!', body, { 'audit-id': 'abc-123' });
    expect(describeKubeError(error)).toBe('HTTP 403: namespaces is forbidden: User "x" cannot list');
    expect(describeKubeError(new ApiException(401, 'Unauthorized', undefined, {}))).toBe('HTTP 401');
  });

  it("uses a watch error's statusCode", () => {
    expect(describeKubeError(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe('HTTP 410');
  });

  it('names the network error behind a failed fetch', () => {
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
    expect(describeKubeError(error)).toBe('fetch failed (ECONNREFUSED)');
    expect(describeKubeError(new TypeError('fetch failed', { cause: new Error('other side closed') }))).toBe('fetch failed (other side closed)');
    expect(describeKubeError('plain')).toBe('plain');
  });
});

describe('statusCodeOf', () => {
  it('reads an HTTP status from statusCode or a numeric code, nothing else', () => {
    expect(statusCodeOf({ statusCode: 404 })).toBe(404);
    expect(statusCodeOf(new ApiException(422, 'x', '', {}))).toBe(422);
    expect(statusCodeOf({ code: 'ECONNRESET' })).toBeUndefined();
    expect(statusCodeOf({ code: 7 })).toBeUndefined();
    expect(statusCodeOf(undefined)).toBeUndefined();
  });
});
