import type { V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../certs/certificates.js';
import { KubeError } from './errors.js';
import { caBundlePatch, encodeCaBundle } from './webhook-ca-bundle.js';

const ca = createCertificateAuthority({ commonName: 'slimguard test CA', validityDays: 1 });
const otherCa = createCertificateAuthority({ commonName: 'other CA', validityDays: 1 });
const decode = (base64: string) => Buffer.from(base64, 'base64').toString('utf8');

function code(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return error instanceof KubeError ? error.code : 'not a KubeError';
  }
  return undefined;
}

describe('encodeCaBundle', () => {
  it('base64-encodes the PEM certificates, with LF line ends', () => {
    const decoded = decode(encodeCaBundle(ca.certPem));
    expect(decoded).toBe(ca.certPem.replace(/\r\n/g, '\n').trimEnd() + '\n');
    expect(decoded).not.toContain('\r');
  });

  it('keeps every certificate of a bundle and drops text around them', () => {
    const decoded = decode(encodeCaBundle(`# ours\n${ca.certPem}\nsubject=other\n${otherCa.certPem}`));
    expect(decoded.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(decoded).not.toContain('subject=other');
  });

  it('refuses a bundle with a private key, or with no certificate', () => {
    expect(code(() => encodeCaBundle(`${ca.certPem}${ca.keyPem}`))).toBe('INVALID_CA_BUNDLE');
    expect(code(() => encodeCaBundle('hello'))).toBe('INVALID_CA_BUNDLE');
    expect(code(() => encodeCaBundle(''))).toBe('INVALID_CA_BUNDLE');
  });
});

describe('caBundlePatch', () => {
  const configuration = (bundles: (string | undefined)[]): V1ValidatingWebhookConfiguration => ({
    metadata: { name: 'slimguard' },
    webhooks: bundles.map((caBundle, index) => ({
      name: `hook-${index}.slimguard.io`,
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      clientConfig: { service: { name: 'slimguard', namespace: 'slimguard' }, ...(caBundle === undefined ? {} : { caBundle }) },
    })),
  });

  it('tests each entry by name and sets its caBundle', () => {
    expect(caBundlePatch(configuration([undefined, 'old']), 'NEW')).toEqual([
      { op: 'test', path: '/webhooks/0/name', value: 'hook-0.slimguard.io' },
      { op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'NEW' },
      { op: 'test', path: '/webhooks/1/name', value: 'hook-1.slimguard.io' },
      { op: 'add', path: '/webhooks/1/clientConfig/caBundle', value: 'NEW' },
    ]);
  });

  it('is empty when every entry already has the bundle, or there are no entries', () => {
    expect(caBundlePatch(configuration(['NEW', 'NEW']), 'NEW')).toEqual([]);
    expect(caBundlePatch(configuration([]), 'NEW')).toEqual([]);
    expect(caBundlePatch(configuration(['NEW', 'old']), 'NEW')).toHaveLength(4);
  });
});
