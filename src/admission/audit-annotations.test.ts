import { describe, expect, it } from 'vitest';
import { AUDIT_ANNOTATION_KEYS, AUDIT_ANNOTATIONS_MAX_BYTES, buildAuditAnnotations, isValidAuditAnnotationKey, type AuditViolation } from './audit-annotations.js';
import { utf8ByteLength } from './warnings.js';

function violation(i: number, message = `[sizeBudget] registry.example.com/app-${i}:1 is 612 MB compressed, budget 500 MB`): AuditViolation {
  return { rule: 'sizeBudget', mode: 'audit', image: `registry.example.com/app-${i}:1`, digest: `sha256:${'a'.repeat(64)}`, containers: [`c${i}`], message };
}

function totalBytes(annotations: Record<string, string>): number {
  return Object.entries(annotations).reduce((sum, [key, value]) => sum + utf8ByteLength(key) + utf8ByteLength(value), 0);
}

describe('isValidAuditAnnotationKey', () => {
  it('accepts every key slimguard writes', () => {
    for (const key of Object.values(AUDIT_ANNOTATION_KEYS)) expect(isValidAuditAnnotationKey(key)).toBe(true);
  });

  it('rejects what the API server rejects after prefixing the webhook name', () => {
    for (const key of ['', 'slimguard.io/violations', '-violations', 'violations-', 'has space', 'x'.repeat(64), 'ünïcode']) {
      expect(isValidAuditAnnotationKey(key)).toBe(false);
    }
    expect(isValidAuditAnnotationKey('x'.repeat(63))).toBe(true);
    expect(isValidAuditAnnotationKey('a')).toBe(true);
  });
});

describe('buildAuditAnnotations', () => {
  it('records nothing when nothing happened', () => {
    expect(buildAuditAnnotations({ decision: 'allow', violations: [], registryFailures: [] })).toBeUndefined();
  });

  it('records the decision, the violations and the registry failures as JSON', () => {
    const annotations = buildAuditAnnotations({
      decision: 'allow',
      violations: [violation(1)],
      registryFailures: [{ image: 'ghcr.io/x/y:1', onRegistryError: 'allow', containers: ['app'], message: 'timeout' }],
    });
    expect(annotations).toEqual({
      decision: 'allow',
      violations: JSON.stringify([violation(1)]),
      'registry-failures': JSON.stringify([{ image: 'ghcr.io/x/y:1', onRegistryError: 'allow', containers: ['app'], message: 'timeout' }]),
    });
    expect(JSON.parse(annotations!['violations']!)).toEqual([violation(1)]);
  });

  it('stays within 10 KiB and counts what it left out', () => {
    const violations = Array.from({ length: 200 }, (_, i) => violation(i));
    const annotations = buildAuditAnnotations({ decision: 'deny', violations, registryFailures: [] })!;
    expect(totalBytes(annotations)).toBeLessThanOrEqual(AUDIT_ANNOTATIONS_MAX_BYTES);
    const kept = JSON.parse(annotations['violations']!) as AuditViolation[];
    expect(kept).toEqual(violations.slice(0, kept.length));
    expect(Number(annotations['omitted'])).toBe(200 - kept.length);
  });

  it('shortens long messages in records', () => {
    const annotations = buildAuditAnnotations({ decision: 'allow', violations: [violation(1, `[buildBase] ${'q'.repeat(5000)}`)], registryFailures: [] })!;
    const [record] = JSON.parse(annotations['violations']!) as AuditViolation[];
    expect([...record!.message].length).toBe(512);
  });

  it('keeps room for the violations when there are many failures', () => {
    const registryFailures = Array.from({ length: 200 }, (_, i) => ({ image: `ghcr.io/x/app-${i}:1`, onRegistryError: 'deny' as const, containers: [`c${i}`], message: 'connection refused' }));
    const annotations = buildAuditAnnotations({ decision: 'deny', violations: [violation(1)], registryFailures })!;
    expect(JSON.parse(annotations['violations']!)).toHaveLength(1);
    expect(totalBytes(annotations)).toBeLessThanOrEqual(AUDIT_ANNOTATIONS_MAX_BYTES);
    expect(Number(annotations['omitted'])).toBeGreaterThan(0);
  });
});
