// The PKI of a test control plane: one CA that signs the API server's serving certificate and the
// admin client certificate (the API server trusts it as --client-ca-file), plus the service
// account signing key. Kept apart from src/certs on purpose: the harness tests the product and
// must not depend on it.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface CertificatePem {
  certPem: string;
  keyPem: string;
}

export interface IssueCertificateOptions {
  commonName: string;
  /** Subject O= values; `system:masters` makes a client a cluster admin. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client';
  validityDays?: number;
}

/**
 * RSA keys come from node:crypto (native, milliseconds) rather than node-forge's pure-JS
 * generator (seconds each on a 2-core runner); node-forge does the X.509 part.
 */
function newKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e), keyPem };
}

function newCertificate(publicKey: forge.pki.PublicKey, subject: forge.pki.CertificateField[], validityDays: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // 16 random bytes, the first in 0x01-0x7f: a positive, minimal DER integer. (`00` + random
  // bytes failed 1 in 256: node-forge kept one of two leading zeros, which OpenSSL and Go refuse.)
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  // Valid from an hour ago, so a clock slightly behind still accepts it.
  cert.validity.notBefore = new Date(now - 3_600_000);
  cert.validity.notAfter = new Date(now + validityDays * 86_400_000);
  cert.setSubject(subject);
  return cert;
}

export function createCertificateAuthority(commonName = 'slimguard-test-cluster-ca', validityDays = 7): CertificatePem {
  const keys = newKeys();
  const cert = newCertificate(keys.publicKey, [{ name: 'commonName', value: commonName }], validityDays);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** A leaf certificate signed by `ca`: a TLS server certificate or a client certificate. */
export function issueCertificate(ca: CertificatePem, options: IssueCertificateOptions): CertificatePem {
  const keys = newKeys();
  const subject: forge.pki.CertificateField[] = [
    ...(options.organizations ?? []).map((value) => ({ name: 'organizationName', value })),
    { name: 'commonName', value: options.commonName },
  ];
  const cert = newCertificate(keys.publicKey, subject, options.validityDays ?? 7);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(options.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(options.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    options.usage === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.keyPem };
}

/** The service account token signing key: private (PKCS#1) and public (SPKI) PEM. */
export function createServiceAccountKey(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
