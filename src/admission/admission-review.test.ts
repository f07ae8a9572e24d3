import { describe, expect, it } from 'vitest';
import { decodeAdmissionReview } from './admission-review.js';
import { AdmissionDecodeError, type AdmissionDecodeErrorCode } from './errors.js';
import deploymentReview from './testdata/review-deployment-create.json' with { type: 'json' };
import ephemeralReview from './testdata/review-pod-ephemeralcontainers-update.json' with { type: 'json' };
import deleteReview from './testdata/review-pod-delete.json' with { type: 'json' };

function clone<T>(value: T): T {
  return structuredClone(value);
}

function decodeError(body: unknown): AdmissionDecodeError {
  try {
    decodeAdmissionReview(body);
  } catch (error) {
    if (error instanceof AdmissionDecodeError) return error;
    throw error;
  }
  throw new Error('expected decodeAdmissionReview to throw');
}

describe('decodeAdmissionReview', () => {
  it('reads a CREATE request as the API server sends it', () => {
    const request = decodeAdmissionReview(clone(deploymentReview));
    expect(request).toMatchObject({
      uid: deploymentReview.request.uid,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      subResource: '',
      operation: 'CREATE',
      name: 'web',
      namespace: 'team-a',
      username: 'kubernetes-admin',
      dryRun: false,
    });
    expect(request.object).toEqual(deploymentReview.request.object);
    expect(request.oldObject).toBeUndefined();
  });

  it('reads the subresource, the old object and dryRun', () => {
    const body = clone(ephemeralReview);
    (body.request as Record<string, unknown>)['dryRun'] = true;
    const request = decodeAdmissionReview(body);
    expect(request.subResource).toBe('ephemeralcontainers');
    expect(request.operation).toBe('UPDATE');
    expect(request.oldObject).toEqual(ephemeralReview.request.oldObject);
    expect(request.dryRun).toBe(true);
  });

  it('accepts a DELETE without an object', () => {
    const request = decodeAdmissionReview(clone(deleteReview));
    expect(request.operation).toBe('DELETE');
    expect(request.object).toBeUndefined();
    expect(request.oldObject).toBeDefined();
  });

  it('treats a missing core group as ""', () => {
    const body = clone(deploymentReview) as { request: Record<string, unknown> };
    body.request['kind'] = { version: 'v1', kind: 'Pod' };
    expect(decodeAdmissionReview(body).kind).toEqual({ group: '', version: 'v1', kind: 'Pod' });
  });

  const cases: [string, unknown, AdmissionDecodeErrorCode, RegExp][] = [
    ['a string', 'hello', 'NOT_ADMISSION_REVIEW', /expected an AdmissionReview JSON object/],
    ['null', null, 'NOT_ADMISSION_REVIEW', /got null/],
    ['an array', [deploymentReview], 'NOT_ADMISSION_REVIEW', /an array/],
    ['another kind', { ...deploymentReview, kind: 'Pod' }, 'NOT_ADMISSION_REVIEW', /expected kind AdmissionReview, got "Pod"/],
    ['v1beta1', { ...deploymentReview, apiVersion: 'admission.k8s.io/v1beta1' }, 'UNSUPPORTED_VERSION', /admissionReviewVersions/],
    ['no apiVersion', { kind: 'AdmissionReview', request: deploymentReview.request }, 'UNSUPPORTED_VERSION', /nothing/],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'MISSING_REQUEST', /no request object/],
    ['a response', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'x', allowed: true } }, 'MISSING_REQUEST', /request/],
    ['request is a string', { ...deploymentReview, request: 'x' }, 'MISSING_REQUEST', /"x"/],
    ['no uid', { ...deploymentReview, request: { ...deploymentReview.request, uid: undefined } }, 'MISSING_UID', /non-empty string/],
    ['empty uid', { ...deploymentReview, request: { ...deploymentReview.request, uid: '' } }, 'MISSING_UID', /got ""/],
    ['numeric uid', { ...deploymentReview, request: { ...deploymentReview.request, uid: 42 } }, 'MISSING_UID', /got 42/],
    ['no kind', { ...deploymentReview, request: { ...deploymentReview.request, kind: undefined } }, 'INVALID_OBJECT', /request\.kind/],
    ['kind is a string', { ...deploymentReview, request: { ...deploymentReview.request, kind: 'Deployment' } }, 'INVALID_OBJECT', /request\.kind/],
    ['odd operation', { ...deploymentReview, request: { ...deploymentReview.request, operation: 'PATCH' } }, 'INVALID_OBJECT', /got "PATCH"/],
    ['CREATE without object', { ...deploymentReview, request: { ...deploymentReview.request, object: null } }, 'INVALID_OBJECT', /request\.object must be an object for CREATE/],
    ['object is an array', { ...deploymentReview, request: { ...deploymentReview.request, object: [] } }, 'INVALID_OBJECT', /an array/],
    ['oldObject is a number', { ...ephemeralReview, request: { ...ephemeralReview.request, oldObject: 3 } }, 'INVALID_OBJECT', /oldObject/],
  ];
  it.each(cases)('rejects %s', (_name, body, code, message) => {
    const error = decodeError(body);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.name).toBe('AdmissionDecodeError');
  });

  it('carries the uid of a request it rejects after reading the uid', () => {
    const error = decodeError({ ...deploymentReview, request: { ...deploymentReview.request, operation: 1 } });
    expect(error.uid).toBe(deploymentReview.request.uid);
  });

  it('quotes at most a short piece of a huge value', () => {
    const error = decodeError({ ...deploymentReview, kind: 'x'.repeat(100_000) });
    expect(error.message.length).toBeLessThan(200);
  });
});
