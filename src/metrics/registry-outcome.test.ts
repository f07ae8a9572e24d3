import { describe, expect, it } from 'vitest';
import { RegistryError, type RegistryErrorCode } from '../registry/errors.js';
import { REGISTRY_OUTCOMES, registryOutcomeOfError } from './registry-outcome.js';

function errorWith(code: RegistryErrorCode): RegistryError {
  return new RegistryError({ code, registry: 'registry.example', what: 'test' });
}

describe('registryOutcomeOfError', () => {
  it.each([
    ['UNAUTHORIZED', 'unauthorized'],
    ['DENIED', 'unauthorized'],
    ['NOT_FOUND', 'not_found'],
    ['TOO_MANY_REQUESTS', 'throttled'],
    ['SERVER_ERROR', 'server_error'],
    ['TIMEOUT', 'timeout'],
    ['NETWORK', 'network'],
    ['SSRF_BLOCKED', 'refused'],
    ['HOST_NOT_ALLOWED', 'refused'],
    ['INSECURE_NOT_ALLOWED', 'refused'],
    ['DIGEST_MISMATCH', 'other'],
    ['TOO_LARGE', 'other'],
  ] as const)('maps %s to %s', (code, outcome) => {
    expect(registryOutcomeOfError(errorWith(code))).toBe(outcome);
  });

  it('maps anything that is not a RegistryError to other', () => {
    expect(registryOutcomeOfError(new Error('boom'))).toBe('other');
    expect(registryOutcomeOfError('text')).toBe('other');
    expect(registryOutcomeOfError({ code: 'NOT_FOUND' })).toBe('other');
  });

  it('only produces outcomes of the closed set', () => {
    expect(REGISTRY_OUTCOMES).toContain(registryOutcomeOfError(errorWith('REDIRECT')));
  });
});
