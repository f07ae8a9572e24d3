import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * Test certificates made with node-forge: a CA and serving certificates for 127.0.0.1/localhost.
 * Keys come from node:crypto (forge's pure-JS RSA key generation takes seconds).
 */

export interface TestCa {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface ServingPair {
  certPem: string;
  keyPem: string;
  /** Upper-case hex without leading zeros, as node:tls getPeerCertificate().serialNumber prints it. */
  serialNumber: string;
}

function rsaKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function serialHex(serial: number): string {
  // A positive DER integer: start with a non-zero nibble below 8 so no padding byte is needed.
  return serial.toString(16).padStart(2, '0').toUpperCase();
}

export function createTestCa(commonName = 'slimguard test CA'): TestCa {
  const keyPem = rsaKeyPem();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  const attributes = [{ name: 'commonName', value: commonName }];
  cert.setSubject(attributes);
  cert.setIssuer(attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, cert, key };
}

/** A serving certificate for 127.0.0.1, ::1 and localhost, signed by the CA, with the given serial. */
export function issueServingCert(ca: TestCa, options: { serial: number; notAfter?: Date }): ServingPair {
  const keyPem = rsaKeyPem();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  const serialNumber = serialHex(options.serial);
  cert.serialNumber = serialNumber;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'slimguard.slimguard.svc' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, serialNumber };
}

export async function makeTempDir(prefix = 'slimguard-http-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

/** Writes tls.crt and tls.key straight into dir (an in-place update, as a plain file copy would do). */
export async function writePairFiles(dir: string, pair: { certPem: string; keyPem: string }) {
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  await writeFile(certFile, pair.certPem);
  await writeFile(keyFile, pair.keyPem);
  return { certFile, keyFile };
}

/**
 * Lays the pair out like the kubelet's atomic writer does for a Secret volume:
 * `..2024_01_01_00_00_00.N/tls.{crt,key}`, `..data -> ..2024...N`, `tls.crt -> ..data/tls.crt`.
 * Called again on the same dir it swaps `..data` atomically (symlink `..data_tmp`, rename over
 * `..data`) and removes the old timestamped directory, exactly one rename visible to readers.
 */
export async function writeAtomicWriterLayout(dir: string, pair: { certPem: string; keyPem: string }, generation: number) {
  const versioned = `..2024_01_01_00_00_00.${generation}`;
  await mkdir(join(dir, versioned));
  await writeFile(join(dir, versioned, 'tls.crt'), pair.certPem);
  await writeFile(join(dir, versioned, 'tls.key'), pair.keyPem);
  await symlink(versioned, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  if (generation === 1) {
    await symlink('..data/tls.crt', certFile);
    await symlink('..data/tls.key', keyFile);
  } else {
    await rm(join(dir, `..2024_01_01_00_00_00.${generation - 1}`), { recursive: true, force: true });
  }
  return { certFile, keyFile };
}
