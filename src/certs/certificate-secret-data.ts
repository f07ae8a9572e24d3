import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';

/**
 * The keys of the certificate Secret (type kubernetes.io/tls). `ca.crt` is the trust bundle the
 * webhook configuration's caBundle gets: the signing CA, plus during a CA rotation the other CA
 * (the staged next one, or the previous one until it expires). `ca.key` signs serving
 * certificates; `ca-next.key` exists only while a new CA is staged in the bundle.
 */
export const SECRET_KEYS = {
  servingCert: 'tls.crt',
  servingKey: 'tls.key',
  caBundle: 'ca.crt',
  caKey: 'ca.key',
  nextCaKey: 'ca-next.key',
} as const;

/** Secret data as PEM text, keyed by SECRET_KEYS values. */
export type CertificateSecretData = Record<string, string>;

export interface ParsedPair {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
  key: KeyObject;
}

export interface ParsedBundleEntry {
  cert: X509Certificate;
  pem: string;
}

/**
 * What a Secret holds, checked for structure only (time and wanted names are the decision's
 * business). A part that cannot be used has a `...Problem` saying why, in words fit for a log:
 * never a PEM or key byte.
 */
export interface ParsedCertificates {
  /** The signing CA: the ca.crt entry that ca.key belongs to. */
  ca?: ParsedPair;
  caProblem?: string;
  serving?: ParsedPair;
  servingProblem?: string;
  /** Every parseable CA certificate of ca.crt, in order (the signing and next CA included). */
  bundle: ParsedBundleEntry[];
  /** A CA staged for rotation: the ca.crt entry that ca-next.key belongs to. */
  nextCa?: ParsedPair;
  /** ca-next.key is there but unusable (unparseable, or no ca.crt entry matches it). */
  nextCaProblem?: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

export function parseCertificateSecret(data: CertificateSecretData): ParsedCertificates {
  const bundle: ParsedBundleEntry[] = [];
  let bundleProblem: string | undefined;
  const bundleText = data[SECRET_KEYS.caBundle];
  if (bundleText === undefined || bundleText.trim() === '') bundleProblem = `${SECRET_KEYS.caBundle} is missing`;
  else {
    for (const pem of bundleText.match(CERTIFICATE_BLOCK) ?? []) {
      const cert = certificateOf(pem);
      if (cert?.ca === true) bundle.push({ cert, pem: `${pem.replace(/\r\n/g, '\n')}\n` });
    }
    if (bundle.length === 0) bundleProblem = `${SECRET_KEYS.caBundle} holds no parseable CA certificate`;
  }

  const result: ParsedCertificates = { bundle };
  const ca = bundleProblem === undefined ? pairFromBundle(bundle, data[SECRET_KEYS.caKey], SECRET_KEYS.caKey) : bundleProblem;
  if (typeof ca === 'string') result.caProblem = ca;
  else result.ca = ca;

  const serving = servingPair(data[SECRET_KEYS.servingCert], data[SECRET_KEYS.servingKey]);
  if (typeof serving === 'string') result.servingProblem = serving;
  else result.serving = serving;

  if (data[SECRET_KEYS.nextCaKey] !== undefined) {
    const next = pairFromBundle(bundle, data[SECRET_KEYS.nextCaKey], SECRET_KEYS.nextCaKey);
    if (typeof next === 'string') result.nextCaProblem = next;
    else if (result.ca !== undefined && next.cert.fingerprint256 === result.ca.cert.fingerprint256) {
      result.nextCaProblem = `${SECRET_KEYS.nextCaKey} is the key of the signing CA itself`;
    } else result.nextCa = next;
  }
  return result;
}

function pairFromBundle(bundle: ParsedBundleEntry[], keyPem: string | undefined, keyName: string): ParsedPair | string {
  if (keyPem === undefined || keyPem.trim() === '') return `${keyName} is missing`;
  const key = privateKeyOf(keyPem);
  if (key === undefined) return `${keyName} is not a PEM private key`;
  const entry = bundle.find((candidate) => candidate.cert.checkPrivateKey(key));
  if (entry === undefined) return `${keyName} belongs to no CA certificate in ${SECRET_KEYS.caBundle}`;
  return { cert: entry.cert, certPem: entry.pem, keyPem, key };
}

function servingPair(certPem: string | undefined, keyPem: string | undefined): ParsedPair | string {
  if (certPem === undefined || certPem.trim() === '') return `${SECRET_KEYS.servingCert} is missing`;
  if (keyPem === undefined || keyPem.trim() === '') return `${SECRET_KEYS.servingKey} is missing`;
  const cert = certificateOf(certPem);
  if (cert === undefined) return `${SECRET_KEYS.servingCert} is not a PEM certificate`;
  const key = privateKeyOf(keyPem);
  if (key === undefined) return `${SECRET_KEYS.servingKey} is not a PEM private key`;
  if (!cert.checkPrivateKey(key)) return `${SECRET_KEYS.servingKey} does not belong to ${SECRET_KEYS.servingCert}`;
  return { cert, certPem, keyPem, key };
}

function certificateOf(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function privateKeyOf(pem: string): KeyObject | undefined {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}
