import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate } from './certificates.js';
import { decideCertificates, DEFAULT_LIFETIMES, namesOf, planChanges, type CertificateLifetimes, type WantedNames } from './certificate-decision.js';
import { renewCertificates } from './certificate-renewal.js';
import { parseCertificateSecret, SECRET_KEYS, type CertificateSecretData } from './certificate-secret-data.js';

const DAY = 86_400_000;
const start = new Date('2030-01-01T00:00:00Z');
const after = (days: number) => new Date(start.getTime() + days * DAY);
const wanted: WantedNames = { commonName: 'hook.ns.svc', dnsNames: ['hook', 'hook.ns', 'hook.ns.svc'], ipAddresses: ['127.0.0.1'] };
const lifetimes: CertificateLifetimes = { caValidityDays: 90, servingValidityDays: 30, renewFraction: 1 / 3, renewBeforeMs: 5 * DAY, caOverlapMs: 2 * DAY };

/** One full step as the bootstrapper does it: parse, decide, renew when the plan says so. */
function step(data: CertificateSecretData | undefined, now: Date, names: WantedNames = wanted) {
  const parsed = data === undefined ? undefined : parseCertificateSecret(data);
  const plan = decideCertificates(parsed, names, now, lifetimes);
  const next = planChanges(plan) ? renewCertificates({ plan, parsed, wanted: names, now, lifetimes, caCommonName: 'test-ca' }) : data!;
  return { plan, data: next };
}

const bundleOf = (data: CertificateSecretData) => parseCertificateSecret(data).bundle.map((entry) => entry.cert.fingerprint256);
const servingOf = (data: CertificateSecretData) => new X509Certificate(data[SECRET_KEYS.servingCert]!);
const caOf = (data: CertificateSecretData) => parseCertificateSecret(data).ca!.cert;

describe('decideCertificates', () => {
  const fresh = step(undefined, start).data;

  it('creates a CA and a serving certificate with exactly the wanted names when there is no Secret', () => {
    const { plan } = step(undefined, start);
    expect(plan).toMatchObject({ ca: 'create', issueServing: true, reasons: ['the Secret does not exist'] });
    const parsed = parseCertificateSecret(fresh);
    expect(parsed.caProblem).toBeUndefined();
    expect(parsed.servingProblem).toBeUndefined();
    expect(namesOf(servingOf(fresh))).toEqual({ dnsNames: ['hook', 'hook.ns', 'hook.ns.svc'], ipAddresses: ['127.0.0.1'] });
    expect(servingOf(fresh).checkIssued(caOf(fresh))).toBe(true);
    expect(Object.keys(fresh).sort()).toEqual(['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  });

  it('keeps a sound Secret and names the next renewal (two thirds into the serving lifetime)', () => {
    const { plan, data } = step(fresh, after(1));
    expect(plan).toMatchObject({ ca: 'keep', issueServing: false, pruneBundle: false, reasons: [] });
    expect(data).toBe(fresh);
    // 30-day certificate, valid from a minute before start: renewed when 10 days remain.
    expect(Math.abs(plan.nextCheckAt.getTime() - after(20).getTime())).toBeLessThan(2 * 60_000);
  });

  it('issues a new serving certificate from the same CA when it is due', () => {
    const { plan, data } = step(fresh, after(21));
    expect(plan).toMatchObject({ ca: 'keep', issueServing: true });
    expect(plan.reasons[0]).toMatch(/^the serving certificate expires at 2030-01-31/);
    expect(data[SECRET_KEYS.caBundle]).toBe(fresh[SECRET_KEYS.caBundle]);
    expect(data[SECRET_KEYS.caKey]).toBe(fresh[SECRET_KEYS.caKey]);
    expect(servingOf(data).serialNumber).not.toBe(servingOf(fresh).serialNumber);
    expect(new Date(servingOf(data).validTo).getTime()).toBeGreaterThan(after(50).getTime());
  });

  it('reissues the serving certificate when the wanted names change, either way', () => {
    const more = step(fresh, after(1), { ...wanted, dnsNames: [...wanted.dnsNames, 'extra.example'] });
    expect(more.plan.issueServing).toBe(true);
    expect(more.plan.reasons[0]).toContain('wanted extra.example, hook');
    expect(namesOf(servingOf(more.data)).dnsNames).toContain('extra.example');
    const fewer = step(fresh, after(1), { ...wanted, ipAddresses: [] });
    expect(fewer.plan).toMatchObject({ ca: 'keep', issueServing: true });
    // Names compare case-insensitively and IPs canonically: the same names written differently keep.
    expect(step(fresh, after(1), { ...wanted, dnsNames: ['HOOK', 'hook.ns', 'hook.ns.svc', 'hook'] }).plan.issueServing).toBe(false);
  });

  it('replaces garbage: unparseable parts, a key of another certificate, a foreign CA', () => {
    const other = createServingCertificate({ commonName: 'x', dnsNames: ['x'], validityDays: 10, now: start });
    const cases: [CertificateSecretData, Partial<ReturnType<typeof step>['plan']>, RegExp][] = [
      [{ ...fresh, [SECRET_KEYS.caBundle]: 'junk' }, { ca: 'create' }, /CA is unusable: ca.crt holds no parseable CA/],
      [{ ...fresh, [SECRET_KEYS.caKey]: other.keyPem }, { ca: 'create' }, /ca.key belongs to no CA certificate/],
      [{ ...fresh, [SECRET_KEYS.servingKey]: 'not a key' }, { ca: 'keep', issueServing: true }, /tls.key is not a PEM private key/],
      [{ ...fresh, [SECRET_KEYS.servingKey]: other.keyPem }, { ca: 'keep', issueServing: true }, /tls.key does not belong to tls.crt/],
      [{ ...fresh, [SECRET_KEYS.servingCert]: other.certPem, [SECRET_KEYS.servingKey]: other.keyPem }, { ca: 'keep', issueServing: true }, /not signed by the current CA/],
      [{ ...fresh, [SECRET_KEYS.servingCert]: '' }, { ca: 'keep', issueServing: true }, /tls.crt is missing/],
    ];
    for (const [data, expected, reason] of cases) {
      const result = step(data, after(1));
      expect(result.plan).toMatchObject(expected);
      expect(result.plan.reasons.join('; ')).toMatch(reason);
      const parsed = parseCertificateSecret(result.data);
      expect([parsed.caProblem, parsed.servingProblem]).toEqual([undefined, undefined]);
      expect(servingOf(result.data).checkIssued(caOf(result.data))).toBe(true);
      expect(step(result.data, after(1)).plan.reasons).toEqual([]);
    }
  });

  it('starts over with a new CA once the CA has expired', () => {
    const { plan, data } = step(fresh, after(91));
    expect(plan.ca).toBe('create');
    expect(plan.reasons[0]).toMatch(/the CA expired at 2030-04-01/);
    expect(bundleOf(data)).not.toContain(caOf(fresh).fingerprint256);
  });

  it('rotates the CA in two steps, keeping both CAs trusted across the switch', () => {
    // The 90-day CA is due when 30 days remain (a third); the serving certificate is renewed meanwhile.
    let data = fresh;
    for (const day of [21, 44]) data = step(data, after(day)).data;
    const oldCa = caOf(fresh).fingerprint256;

    const staged = step(data, after(61));
    expect(staged.plan).toMatchObject({ ca: 'stage', issueServing: false });
    expect(staged.plan.reasons[0]).toMatch(/the CA expires at 2030-04-01.*a new CA joins the bundle/);
    const stagedParsed = parseCertificateSecret(staged.data);
    expect(stagedParsed.nextCa).toBeDefined();
    expect(bundleOf(staged.data)).toEqual([oldCa, stagedParsed.nextCa!.cert.fingerprint256]);
    // The old CA still signs: the serving certificate is untouched while API servers learn the new bundle.
    expect(staged.data[SECRET_KEYS.servingCert]).toBe(data[SECRET_KEYS.servingCert]);

    const waiting = step(staged.data, after(62));
    expect(waiting.plan).toMatchObject({ ca: 'keep', issueServing: false, reasons: [] });
    expect(Math.abs(waiting.plan.nextCheckAt.getTime() - after(63).getTime())).toBeLessThan(2 * 60_000);

    const promoted = step(staged.data, after(63.01));
    expect(promoted.plan).toMatchObject({ ca: 'promote', issueServing: true });
    const newCa = stagedParsed.nextCa!.cert;
    expect(caOf(promoted.data).fingerprint256).toBe(newCa.fingerprint256);
    expect(bundleOf(promoted.data)).toEqual([newCa.fingerprint256, oldCa]);
    expect(promoted.data[SECRET_KEYS.nextCaKey]).toBeUndefined();
    expect(servingOf(promoted.data).checkIssued(newCa)).toBe(true);

    // The old CA leaves the bundle once it has expired.
    expect(step(promoted.data, after(70)).plan.reasons).toEqual([]);
    const pruned = step(promoted.data, after(91));
    expect(pruned.plan).toMatchObject({ ca: 'keep', pruneBundle: true });
    expect(pruned.plan.reasons).toContain(`dropping the expired CA ${caOf(fresh).serialNumber} from the bundle`);
    expect(bundleOf(pruned.data)).toEqual([newCa.fingerprint256]);
  });

  it('drops a ca-next.key that matches nothing in the bundle', () => {
    const stray = createCertificateAuthority({ commonName: 'stray', validityDays: 10, now: start });
    const { plan, data } = step({ ...fresh, [SECRET_KEYS.nextCaKey]: stray.keyPem }, after(1));
    expect(plan).toMatchObject({ ca: 'keep', pruneBundle: true });
    expect(plan.reasons[0]).toMatch(/dropping ca-next.key: ca-next.key belongs to no CA certificate/);
    expect(data[SECRET_KEYS.nextCaKey]).toBeUndefined();
    expect(data[SECRET_KEYS.servingCert]).toBe(fresh[SECRET_KEYS.servingCert]);
  });

  it('never renews a short-lived certificate at once, and uses the documented defaults', () => {
    const short = { ...lifetimes, servingValidityDays: 1, renewBeforeMs: 30 * DAY };
    const parsed = parseCertificateSecret(fresh);
    const day = renewCertificates({ plan: { ca: 'keep', issueServing: true, pruneBundle: false, reasons: [], nextCheckAt: start }, parsed, wanted, now: start, lifetimes: short, caCommonName: 'c' });
    // 30 days would exceed a 1-day lifetime: it is renewed at half its lifetime instead.
    expect(decideCertificates(parseCertificateSecret(day), wanted, new Date(start.getTime() + 0.4 * DAY), short).issueServing).toBe(false);
    expect(decideCertificates(parseCertificateSecret(day), wanted, new Date(start.getTime() + 0.55 * DAY), short).issueServing).toBe(true);
    expect(DEFAULT_LIFETIMES).toEqual({ caValidityDays: 3650, servingValidityDays: 365, renewFraction: 1 / 3, renewBeforeMs: 30 * DAY, caOverlapMs: DAY });
  });

  it('never lets a serving certificate outlive its CA', () => {
    const { data } = step(undefined, start);
    const parsed = parseCertificateSecret(data);
    const late = after(80);
    const plan = decideCertificates(parsed, wanted, late, { ...lifetimes, caOverlapMs: 60 * DAY });
    const renewed = renewCertificates({ plan: { ...plan, ca: 'keep', issueServing: true }, parsed, wanted, now: late, lifetimes, caCommonName: 'c' });
    expect(new Date(servingOf(renewed).validTo).getTime()).toBeLessThanOrEqual(new Date(caOf(data).validTo).getTime());
  });

  it('refuses lifetimes that cannot work', () => {
    expect(() => decideCertificates(undefined, wanted, start, { ...lifetimes, caOverlapMs: 0 })).toThrow(/caOverlapMs must be a positive number/);
    expect(() => decideCertificates(undefined, wanted, start, { ...lifetimes, renewFraction: 1 })).toThrow(/renewFraction must be below 1/);
  });
});
