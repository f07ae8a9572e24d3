import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

export interface ServingCertificateOptions {
  /** Signs the serving certificate; without one the certificate is self-signed. */
  ca?: KeyPairPem;
  commonName: string;
  dnsNames: string[];
  ipAddresses?: string[];
  validityDays: number;
  now?: Date;
  /** The serial's random bytes (tests pass edge cases); default 16 from randomBytes. */
  serial?: Uint8Array;
}

/**
 * RSA keys come from node:crypto (native, milliseconds) rather than node-forge's pure-JS
 * generator (seconds on a small CPU); node-forge does the X.509 part, which node:crypto lacks.
 */
function newKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

/**
 * A random 16-byte serial whose DER INTEGER is positive and minimal: first byte 0x01-0x7f. The
 * former `00` + 16 random bytes broke one certificate in 256: when the first random byte was 0x00,
 * node-forge kept one zero of the two, a non-minimal integer OpenSSL refuses ("illegal padding").
 */
export function serialNumberHex(random: Uint8Array = randomBytes(16)): string {
  const serial = Buffer.from(random);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  return serial.toString('hex');
}

function baseCertificate(publicKey: forge.pki.PublicKey, commonName: string, validityDays: number, now: Date, serial?: Uint8Array) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serialNumberHex(serial);
  // Valid from a minute ago, so a clock a little behind still accepts it.
  cert.validity.notBefore = new Date(now.getTime() - 60_000);
  cert.validity.notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** A CA certificate for signing webhook serving certificates. */
export function createCertificateAuthority(options: { commonName: string; validityDays: number; now?: Date }): KeyPairPem {
  const keys = newKeys();
  const cert = baseCertificate(keys.publicKey, options.commonName, options.validityDays, options.now ?? new Date());
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** A TLS server certificate for the given names, signed by `ca` or self-signed. */
export function createServingCertificate(options: ServingCertificateOptions): KeyPairPem {
  const keys = newKeys();
  const cert = baseCertificate(keys.publicKey, options.commonName, options.validityDays, options.now ?? new Date(), options.serial);
  if (options.ca) {
    const caCert = forge.pki.certificateFromPem(options.ca.certPem);
    cert.setIssuer(caCert.subject.attributes);
    cert.setExtensions(servingExtensions(options));
    cert.sign(forge.pki.privateKeyFromPem(options.ca.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  } else {
    cert.setIssuer(cert.subject.attributes);
    cert.setExtensions(servingExtensions(options));
    cert.sign(keys.privateKey, forge.md.sha256.create());
  }
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

function servingExtensions(options: ServingCertificateOptions) {
  const altNames = [
    ...options.dnsNames.map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  return [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ];
}
