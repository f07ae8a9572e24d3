import type { X509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import type { ParsedCertificates } from './certificate-secret-data.js';
import { CertsError } from './errors.js';

const DAY_MS = 86_400_000;

/** The names the serving certificate must carry, exactly (a removed name must go too). */
export interface WantedNames {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
}

export interface CertificateLifetimes {
  /** Validity of a new CA. Default 3650 days. */
  caValidityDays: number;
  /** Validity of a new serving certificate (never past its CA's end). Default 365 days. */
  servingValidityDays: number;
  /** Renew when less than this share of a certificate's own lifetime remains. Default 1/3. */
  renewFraction: number;
  /** ...or when less than this remains, whichever comes first (never earlier than half the lifetime). Default 30 days. */
  renewBeforeMs: number;
  /**
   * How long a new CA sits in the bundle, next to the old one that still signs, before it signs
   * the serving certificate. Every API server must have seen the new caBundle by then, or it would
   * reject the new serving certificate. Default 1 day.
   */
  caOverlapMs: number;
}

export const DEFAULT_LIFETIMES: CertificateLifetimes = {
  caValidityDays: 3650,
  servingValidityDays: 365,
  renewFraction: 1 / 3,
  renewBeforeMs: 30 * DAY_MS,
  caOverlapMs: DAY_MS,
};

/**
 * What to do with the Secret. `ca`:
 * - `keep`: the signing CA stays;
 * - `create`: nothing usable (absent, garbage, expired): a new CA alone in the bundle;
 * - `stage`: the CA is due: a new CA joins the bundle (key in ca-next.key), the old one still signs;
 * - `promote`: the staged CA has been in the bundle for the overlap: it signs from now on, the old
 *   one stays in the bundle until it expires.
 */
export interface CertificatePlan {
  ca: 'keep' | 'create' | 'stage' | 'promote';
  /** A new serving certificate from the (resulting) signing CA. */
  issueServing: boolean;
  /** Drop expired CA certificates from the bundle, and an unusable ca-next.key. */
  pruneBundle: boolean;
  /** Why, for the log (empty when nothing changes). */
  reasons: string[];
  /** When this decision can next change by time alone (a renewal or the end of an overlap is due). */
  nextCheckAt: Date;
}

export function planChanges(plan: CertificatePlan): boolean {
  return plan.ca !== 'keep' || plan.issueServing || plan.pruneBundle;
}

/**
 * Decides what the certificate Secret needs, from its parsed contents (undefined: there is no
 * Secret), the names wanted and the time. Pure: the clock is an argument.
 */
export function decideCertificates(
  parsed: ParsedCertificates | undefined,
  wanted: WantedNames,
  now: Date,
  lifetimes: CertificateLifetimes = DEFAULT_LIFETIMES,
): CertificatePlan {
  checkLifetimes(lifetimes);
  const at = now.getTime();
  const reasons: string[] = [];
  const checkTimes: number[] = [];

  const { ca } = parsed ?? {};
  let caAction: CertificatePlan['ca'] = 'keep';
  let signing: X509Certificate | undefined = ca?.cert;
  if (parsed === undefined) {
    caAction = 'create';
    reasons.push('the Secret does not exist');
  } else if (ca === undefined) {
    caAction = 'create';
    reasons.push(`the CA is unusable: ${parsed.caProblem ?? 'unknown problem'}`);
  } else if (parsed.nextCa !== undefined) {
    const overlapEnds = notBefore(parsed.nextCa.cert) + lifetimes.caOverlapMs;
    if (at >= overlapEnds || at >= notAfter(ca.cert)) {
      caAction = 'promote';
      signing = parsed.nextCa.cert;
      reasons.push('the staged CA has been trusted for the overlap period: it signs from now on');
    } else checkTimes.push(overlapEnds);
  } else if (at >= notAfter(ca.cert)) {
    caAction = 'create';
    reasons.push(`the CA expired at ${isoOf(notAfter(ca.cert))}`);
  } else if (at >= renewAt(ca.cert, lifetimes)) {
    caAction = 'stage';
    reasons.push(`the CA expires at ${isoOf(notAfter(ca.cert))}: a new CA joins the bundle`);
  } else checkTimes.push(renewAt(ca.cert, lifetimes));

  let issueServing = caAction === 'create' || caAction === 'promote';
  const serving = parsed?.serving;
  if (!issueServing) {
    const problem = servingProblem(parsed!, signing!, wanted, at, lifetimes);
    if (problem !== undefined) {
      issueServing = true;
      reasons.push(problem);
    } else checkTimes.push(renewAt(serving!.cert, lifetimes));
  }
  if (issueServing) {
    // The new certificate's own renewal, measured from now (the renewal path computes the same).
    const servingEnd = Math.min(at + lifetimes.servingValidityDays * DAY_MS, signing === undefined ? Infinity : notAfter(signing));
    checkTimes.push(servingEnd - renewBefore(servingEnd - at, lifetimes));
  }

  let pruneBundle = false;
  if (parsed !== undefined && caAction !== 'create') {
    if (parsed.nextCaProblem !== undefined) {
      pruneBundle = true;
      reasons.push(`dropping ca-next.key: ${parsed.nextCaProblem}`);
    }
    for (const entry of parsed.bundle) {
      if (entry.cert === ca?.cert || entry.cert === parsed.nextCa?.cert) continue;
      if (at >= notAfter(entry.cert)) {
        pruneBundle = true;
        reasons.push(`dropping the expired CA ${entry.cert.serialNumber} from the bundle`);
      } else checkTimes.push(notAfter(entry.cert));
    }
  }

  return { ca: caAction, issueServing, pruneBundle, reasons, nextCheckAt: new Date(Math.min(...checkTimes, at + lifetimes.caValidityDays * DAY_MS)) };
}

/** Why the serving certificate must be replaced, or undefined when it is fine. */
function servingProblem(
  parsed: ParsedCertificates,
  signing: X509Certificate,
  wanted: WantedNames,
  at: number,
  lifetimes: CertificateLifetimes,
): string | undefined {
  const serving = parsed.serving;
  if (serving === undefined) return `the serving certificate is unusable: ${parsed.servingProblem ?? 'unknown problem'}`;
  const cert = serving.cert;
  if (!cert.checkIssued(signing) || !cert.verify(signing.publicKey)) return 'the serving certificate is not signed by the current CA';
  const names = namesOf(cert);
  const wantedDns = normalizeDns(wanted.dnsNames);
  const wantedIps = normalizeIps(wanted.ipAddresses);
  if (!sameSet(names.dnsNames, wantedDns) || !sameSet(names.ipAddresses, wantedIps)) {
    return `the serving certificate names ${describeNames(names)}, wanted ${describeNames({ dnsNames: wantedDns, ipAddresses: wantedIps })}`;
  }
  if (at < notBefore(cert)) return `the serving certificate is not valid before ${isoOf(notBefore(cert))}`;
  if (at >= renewAt(cert, lifetimes)) return `the serving certificate expires at ${isoOf(notAfter(cert))}`;
  return undefined;
}

/** A certificate's subjectAltName DNS names (lower case) and IP addresses (canonical), sorted. */
export function namesOf(cert: X509Certificate): { dnsNames: string[]; ipAddresses: string[] } {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  // Node prints "DNS:a, DNS:b, IP Address:127.0.0.1"; a DNS SAN cannot contain ", ".
  for (const part of (cert.subjectAltName ?? '').split(', ')) {
    if (part.startsWith('DNS:')) dnsNames.push(part.slice(4));
    else if (part.startsWith('IP Address:')) ipAddresses.push(part.slice(11));
  }
  return { dnsNames: normalizeDns(dnsNames), ipAddresses: normalizeIps(ipAddresses) };
}

function normalizeDns(names: string[]): string[] {
  return [...new Set(names.map((name) => name.toLowerCase()))].sort();
}

function normalizeIps(addresses: string[]): string[] {
  return [...new Set(addresses.map((address) => (ipaddr.isValid(address) ? ipaddr.process(address).toNormalizedString() : address)))].sort();
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function describeNames(names: { dnsNames: string[]; ipAddresses: string[] }): string {
  const all = [...names.dnsNames, ...names.ipAddresses];
  return all.length === 0 ? 'nothing' : all.join(', ');
}

/** The moment a certificate is due for renewal. */
export function renewAt(cert: X509Certificate, lifetimes: CertificateLifetimes): number {
  const start = notBefore(cert);
  const end = notAfter(cert);
  return end - renewBefore(end - start, lifetimes);
}

function renewBefore(lifetimeMs: number, lifetimes: CertificateLifetimes): number {
  // "a third of the lifetime or 30 days, whichever comes first", but never before half the
  // lifetime, so a short-lived certificate is not renewed again at once.
  return Math.min(Math.max(lifetimeMs * lifetimes.renewFraction, lifetimes.renewBeforeMs), lifetimeMs / 2);
}

export function notBefore(cert: X509Certificate): number {
  return new Date(cert.validFrom).getTime();
}

export function notAfter(cert: X509Certificate): number {
  return new Date(cert.validTo).getTime();
}

function isoOf(time: number): string {
  return new Date(time).toISOString();
}

function checkLifetimes(lifetimes: CertificateLifetimes): void {
  for (const [name, value] of Object.entries(lifetimes)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new CertsError('INVALID_OPTION', `certificate lifetime option ${name} must be a positive number, got ${String(value)}`);
    }
  }
  if (lifetimes.renewFraction >= 1) throw new CertsError('INVALID_OPTION', `renewFraction must be below 1, got ${lifetimes.renewFraction}`);
}
