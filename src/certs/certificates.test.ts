import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, createServingCertificate, serialNumberHex } from './certificates.js';

describe('certificates', () => {
  it('issues a serving certificate signed by the CA, for the names given', () => {
    const ca = createCertificateAuthority({ commonName: 'slimguard-ca', validityDays: 365 });
    const serving = createServingCertificate({
      ca,
      commonName: 'slimguard.slimguard.svc',
      dnsNames: ['slimguard.slimguard.svc', 'slimguard.slimguard.svc.cluster.local'],
      ipAddresses: ['127.0.0.1'],
      validityDays: 90,
    });
    const caCert = new X509Certificate(ca.certPem);
    const cert = new X509Certificate(serving.certPem);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(cert.checkHost('slimguard.slimguard.svc')).toBe('slimguard.slimguard.svc');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('evil.example.com')).toBeUndefined();
    expect(cert.checkPrivateKey(createPrivateKey(serving.keyPem))).toBe(true);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThan(91);
  });

  it('self-signs when no CA is given', () => {
    const serving = createServingCertificate({ commonName: 'localhost', dnsNames: ['localhost'], validityDays: 1 });
    const cert = new X509Certificate(serving.certPem);
    expect(cert.verify(cert.publicKey)).toBe(true);
  });

  it('gives every serial a positive, minimal DER integer, whatever the random bytes', () => {
    const ca = createCertificateAuthority({ commonName: 'slimguard-ca', validityDays: 1 });
    // 0x00 first was the 1-in-256 case OpenSSL refused ("illegal padding"); 0x80 would be negative.
    for (const first of [0x00, 0x01, 0x7f, 0x80, 0xff]) {
      const random = Buffer.alloc(16, 0x5a);
      random[0] = first;
      const serving = createServingCertificate({ ca, commonName: 'x', dnsNames: ['x'], validityDays: 1, serial: random });
      const cert = new X509Certificate(serving.certPem);
      expect(cert.serialNumber).toMatch(/^(0[1-9A-F]|[1-7][0-9A-F])[0-9A-F]{30}$/);
      expect(cert.serialNumber.slice(2)).toBe('5A'.repeat(15));
    }
    expect(serialNumberHex(Buffer.alloc(16))).toBe(`01${'00'.repeat(15)}`);
  });
});
