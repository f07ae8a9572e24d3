import { describe, expect, it } from 'vitest';
import { daysUntilExpiry, exemptionCovers, findExemption, isExpired } from './exemptions.js';
import type { Exemption } from './policy.js';

const nginx = 'docker.io/library/nginx:1.27';
const day = (iso: string) => new Date(iso);

describe('exemptionCovers', () => {
  it.each<[string, Exemption, { reference: string; namespace?: string; rule: 'runAsRoot' | 'sizeBudget' | 'buildBase' }, boolean]>([
    ['image glob, familiar form', { images: ['nginx:*'], reason: 'r' }, { reference: nginx, rule: 'runAsRoot' }, true],
    ['image glob, normalized form', { images: ['docker.io/library/nginx:1.27'], reason: 'r' }, { reference: nginx, rule: 'runAsRoot' }, true],
    ['image glob misses', { images: ['redis:*'], reason: 'r' }, { reference: nginx, rule: 'runAsRoot' }, false],
    ['namespace glob', { namespaces: ['legacy-*'], reason: 'r' }, { reference: nginx, namespace: 'legacy-shop', rule: 'sizeBudget' }, true],
    ['namespace glob misses', { namespaces: ['legacy-*'], reason: 'r' }, { reference: nginx, namespace: 'shop', rule: 'sizeBudget' }, false],
    ['namespace never matches without a namespace (CLI)', { namespaces: ['*'], reason: 'r' }, { reference: nginx, rule: 'sizeBudget' }, false],
    ['image AND namespace both needed', { images: ['nginx'], namespaces: ['web'], reason: 'r' }, { reference: nginx, namespace: 'db', rule: 'runAsRoot' }, false],
    ['image AND namespace both match', { images: ['nginx'], namespaces: ['web'], reason: 'r' }, { reference: nginx, namespace: 'web', rule: 'runAsRoot' }, true],
    ['rules default to all', { images: ['nginx'], reason: 'r' }, { reference: nginx, rule: 'buildBase' }, true],
    ['rules listed', { images: ['nginx'], rules: ['sizeBudget'], reason: 'r' }, { reference: nginx, rule: 'sizeBudget' }, true],
    ['other rule not covered', { images: ['nginx'], rules: ['sizeBudget'], reason: 'r' }, { reference: nginx, rule: 'runAsRoot' }, false],
  ])('%s', (_name, exemption, target, expected) => {
    expect(exemptionCovers(exemption, target)).toBe(expected);
  });
});

describe('expiry', () => {
  const exemption: Exemption = { images: ['nginx'], reason: 'r', expires: '2025-06-30', expiresAt: day('2025-07-01T00:00:00Z') };

  it.each([
    ['2025-06-30T23:59:59Z', false, 1],
    ['2025-07-01T00:00:00Z', true, 0],
    ['2025-06-16T00:00:00Z', false, 15],
    ['2025-06-17T00:00:00Z', false, 14],
    ['2025-08-01T00:00:00Z', true, -31],
  ] as const)('at %s expired=%s, days left %d', (now, expired, days) => {
    expect(isExpired(exemption, day(now))).toBe(expired);
    expect(daysUntilExpiry(exemption, day(now))).toBe(days);
  });

  it('never expires without expiresAt', () => {
    expect(isExpired({ images: ['x'], reason: 'r' }, day('2999-01-01T00:00:00Z'))).toBe(false);
    expect(daysUntilExpiry({ images: ['x'], reason: 'r' }, day('2999-01-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('findExemption', () => {
  const target = { reference: nginx, rule: 'runAsRoot' as const };
  const now = day('2025-06-20T00:00:00Z');
  const soon: Exemption = { images: ['nginx'], reason: 'soon', expires: '2025-06-25', expiresAt: day('2025-06-26T00:00:00Z') };
  const later: Exemption = { images: ['nginx'], reason: 'later', expires: '2026-01-01', expiresAt: day('2026-01-02T00:00:00Z') };
  const forever: Exemption = { images: ['nginx'], reason: 'forever' };
  const past: Exemption = { images: ['nginx'], reason: 'past', expires: '2025-01-01', expiresAt: day('2025-01-02T00:00:00Z') };
  const other: Exemption = { images: ['redis'], reason: 'other' };

  it('finds none', () => {
    expect(findExemption([other], target, now, 14)).toEqual({ kind: 'none' });
  });
  it('warns when the exemption ends within the warning window', () => {
    expect(findExemption([soon], target, now, 14)).toEqual({ kind: 'exempt', exemption: soon, expiringInDays: 6 });
    expect(findExemption([soon], target, now, 5)).toEqual({ kind: 'exempt', exemption: soon });
  });
  it('prefers the exemption that lasts longest', () => {
    expect(findExemption([soon, later], target, now, 14)).toEqual({ kind: 'exempt', exemption: later });
    expect(findExemption([later, forever, soon], target, now, 14)).toEqual({ kind: 'exempt', exemption: forever });
  });
  it('reports an expired exemption when nothing live covers the target', () => {
    expect(findExemption([past, other], target, now, 14)).toEqual({ kind: 'expired', exemption: past });
    expect(findExemption([past, soon], target, now, 14).kind).toBe('exempt');
  });
});
