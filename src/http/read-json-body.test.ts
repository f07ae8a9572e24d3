import { describe, expect, it } from 'vitest';
import { clientErrorStatus, HttpError } from './errors.js';
import { isJsonContentType } from './read-json-body.js';

describe('isJsonContentType', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
    'application/json; charset="utf-8"',
    'application/json; charset=utf8',
    'application/json; foo=bar',
  ])('accepts %j', (header) => {
    expect(isJsonContentType(header)).toBe(true);
  });

  it.each([undefined, '', 'text/plain', 'application/yaml', 'application/jsonx', 'application/json; charset=latin1', 'application/merge-patch+json'])(
    'refuses %j',
    (header) => {
      expect(isJsonContentType(header)).toBe(false);
    },
  );
});

describe('clientErrorStatus', () => {
  it('takes a 4xx statusCode from any error-like object', () => {
    expect(clientErrorStatus(new HttpError(400, 'BAD_REQUEST', 'x'))).toBe(400);
    expect(clientErrorStatus(Object.assign(new Error('x'), { statusCode: 422 }))).toBe(422);
  });

  it.each([new Error('x'), Object.assign(new Error('x'), { statusCode: 500 }), { statusCode: '400' }, { statusCode: 399 }, null, 'boom', undefined])(
    'treats %j as a server error',
    (error) => {
      expect(clientErrorStatus(error)).toBeUndefined();
    },
  );
});
