import { createCertificateAuthority, createServingCertificate, type KeyPairPem } from './certificates.js';
import { DEFAULT_LIFETIMES, notAfter, type CertificateLifetimes, type CertificatePlan, type WantedNames } from './certificate-decision.js';
import { SECRET_KEYS, type CertificateSecretData, type ParsedCertificates } from './certificate-secret-data.js';

const DAY_MS = 86_400_000;

export interface RenewalInput {
  plan: CertificatePlan;
  /** What the Secret holds now; undefined when it does not exist. */
  parsed: ParsedCertificates | undefined;
  wanted: WantedNames;
  now: Date;
  lifetimes?: CertificateLifetimes;
  /** Subject CN of a new CA. */
  caCommonName: string;
}

/**
 * Carries out a plan of decideCertificates: the Secret data to write. Generates keys (CPU only,
 * no I/O); the bundle is ordered signing CA first, then the others.
 */
export function renewCertificates(input: RenewalInput): CertificateSecretData {
  const { plan, parsed, wanted, now } = input;
  const lifetimes = input.lifetimes ?? DEFAULT_LIFETIMES;
  const at = now.getTime();
  const newCa = () => createCertificateAuthority({ commonName: input.caCommonName, validityDays: lifetimes.caValidityDays, now });

  let signing: KeyPairPem;
  let others: string[];
  let next: KeyPairPem | undefined;
  const bundleEntries = parsed?.bundle ?? [];
  const alive = (pem: string) => {
    const entry = bundleEntries.find((candidate) => candidate.pem === pem);
    return entry === undefined || notAfter(entry.cert) > at;
  };

  if (plan.ca === 'create' || parsed?.ca === undefined) {
    signing = newCa();
    others = [];
  } else {
    const current = { certPem: parsed.ca.certPem, keyPem: parsed.ca.keyPem };
    const staged = parsed.nextCa === undefined ? undefined : { certPem: parsed.nextCa.certPem, keyPem: parsed.nextCa.keyPem };
    const rest = bundleEntries.map((entry) => entry.pem).filter((pem) => pem !== current.certPem && pem !== staged?.certPem);
    if (plan.ca === 'promote' && staged !== undefined) {
      signing = staged;
      // The old CA stays trusted until it expires: replicas that have not reloaded yet serve its certificate.
      others = [current.certPem, ...rest];
    } else {
      signing = current;
      next = plan.ca === 'stage' ? newCa() : staged;
      others = next === undefined ? rest : [...rest, next.certPem];
    }
  }
  // Expired CAs leave the bundle whenever it is written.
  others = others.filter(alive);

  let serving: KeyPairPem;
  if (plan.issueServing || parsed?.serving === undefined || signing.certPem !== parsed.ca?.certPem) {
    const signingEnd = notAfterOfPem(signing.certPem, bundleEntries) ?? at + lifetimes.caValidityDays * DAY_MS;
    const validityDays = Math.min(lifetimes.servingValidityDays, (signingEnd - at) / DAY_MS);
    serving = createServingCertificate({ ca: signing, commonName: wanted.commonName, dnsNames: wanted.dnsNames, ipAddresses: wanted.ipAddresses, validityDays, now });
  } else {
    serving = { certPem: parsed.serving.certPem, keyPem: parsed.serving.keyPem };
  }

  return {
    [SECRET_KEYS.servingCert]: withNewline(serving.certPem),
    [SECRET_KEYS.servingKey]: withNewline(serving.keyPem),
    [SECRET_KEYS.caBundle]: [signing.certPem, ...others].map(withNewline).join(''),
    [SECRET_KEYS.caKey]: signing.keyPem,
    ...(next === undefined ? {} : { [SECRET_KEYS.nextCaKey]: next.keyPem }),
  };
}

function notAfterOfPem(pem: string, entries: ParsedCertificates['bundle']): number | undefined {
  const entry = entries.find((candidate) => candidate.pem === pem);
  return entry === undefined ? undefined : notAfter(entry.cert);
}

/** node-forge writes CRLF; the bundle is written with LF like every other PEM here. */
function withNewline(pem: string): string {
  const lf = pem.replace(/\r\n/g, '\n');
  return lf.endsWith('\n') ? lf : `${lf}\n`;
}
