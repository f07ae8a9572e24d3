// The three certificate modes: bootstrap (slimguard's own CA), cert-manager, and a Secret the user
// provides. No mode renders key material: a CA generated in a template (genCA) would change on
// every render and every upgrade.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART_DIR, flagValues, helmTemplate, renderChart, serveArgs } from './helm.js';

const CA_BUNDLE = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

describe('certificate modes', () => {
  it('no template generates certificates or keys', async () => {
    const templates = join(CHART_DIR, 'templates');
    for (const file of await readdir(templates)) {
      const text = await readFile(join(templates, file), 'utf8');
      expect(text, file).not.toMatch(/\bgen(CA|SelfSignedCert|SignedCert|PrivateKey)\b/);
    }
  });

  it('bootstrap: no Secret rendered (slimguard creates it), the serve flags name it, the Service and the webhook configuration', async () => {
    const rendered = await renderChart({ 'certificates.extraDnsNames': ['a.example', 'b.example'], 'certificates.extraIpAddresses': ['127.0.0.1'] });
    expect(rendered.has('Secret')).toBe(false);
    expect(rendered.has('Certificate')).toBe(false);
    const args = serveArgs(rendered);
    expect(flagValues(args, '--cert-bootstrap-secret')).toEqual(['slimguard-tls']);
    expect(flagValues(args, '--cert-service')).toEqual(['slimguard']);
    expect(flagValues(args, '--webhook-configuration')).toEqual(['slimguard']);
    expect(flagValues(args, '--cert-dir')).toEqual(['/var/run/slimguard/certs']);
    expect(flagValues(args, '--cert-dns-name')).toEqual(['a.example', 'b.example']);
    expect(flagValues(args, '--cert-ip-address')).toEqual(['127.0.0.1']);
    expect(args).not.toContain('--tls-cert');
  });

  it('certManager: a self-signed root, a CA issuer, the serving Certificate for the Service names, and the cainjector annotation', async () => {
    const rendered = await renderChart({ 'certificates.mode': 'certManager', 'certificates.extraDnsNames': ['slimguard.example'], 'certificates.extraIpAddresses': ['10.0.0.9'] });
    expect(rendered.get('Issuer', 'slimguard-selfsigned').spec).toEqual({ selfSigned: {} });
    expect(rendered.get('Certificate', 'slimguard-ca').spec).toMatchObject({
      isCA: true,
      secretName: 'slimguard-ca',
      issuerRef: { name: 'slimguard-selfsigned', kind: 'Issuer', group: 'cert-manager.io' },
    });
    expect(rendered.get('Issuer', 'slimguard-ca').spec).toEqual({ ca: { secretName: 'slimguard-ca' } });
    const serving = rendered.get('Certificate', 'slimguard-tls');
    expect(serving.metadata.namespace).toBe('slimguard');
    expect(serving.spec).toMatchObject({
      secretName: 'slimguard-tls',
      dnsNames: ['slimguard', 'slimguard.slimguard', 'slimguard.slimguard.svc', 'slimguard.slimguard.svc.cluster.local', 'slimguard.example'],
      ipAddresses: ['10.0.0.9'],
      duration: '2160h',
      renewBefore: '360h',
      usages: ['server auth', 'digital signature', 'key encipherment'],
      issuerRef: { name: 'slimguard-ca', kind: 'Issuer', group: 'cert-manager.io' },
    });
    const configuration = rendered.get('ValidatingWebhookConfiguration');
    expect(configuration.metadata.annotations).toEqual({ 'cert-manager.io/inject-ca-from': 'slimguard/slimguard-tls' });
    expect(configuration.webhooks[0].clientConfig.caBundle).toBeUndefined();
    expectMountedSecret(rendered, 'slimguard-tls');
  });

  it('certManager with an existing issuer: no chain of its own, the Certificate points at it', async () => {
    const rendered = await renderChart({ 'certificates.mode': 'certManager', 'certificates.certManager.issuerRef': { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } });
    expect(rendered.has('Issuer')).toBe(false);
    expect(rendered.get('Certificate').spec.issuerRef).toEqual({ name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
  });

  it('secret: mounts the given Secret, serves it with --tls-cert/--tls-key and puts caBundle in the webhook configuration', async () => {
    const rendered = await renderChart({ 'certificates.mode': 'secret', 'certificates.secretName': 'my-webhook-tls', 'certificates.caBundle': CA_BUNDLE });
    expect(rendered.has('Certificate')).toBe(false);
    expect(rendered.get('ValidatingWebhookConfiguration').webhooks[0].clientConfig.caBundle).toBe(CA_BUNDLE);
    expectMountedSecret(rendered, 'my-webhook-tls');
  });

  it('secret without caBundle fails the render with what to set', async () => {
    const run = await helmTemplate({ 'certificates.mode': 'secret' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/certificates.*caBundle/);
  });
});

function expectMountedSecret(rendered: Awaited<ReturnType<typeof renderChart>>, secretName: string): void {
  const pod = rendered.get('Deployment').spec.template.spec;
  expect(pod.volumes).toContainEqual({ name: 'tls', secret: { secretName, defaultMode: 0o440 /* 288 */ } });
  expect(pod.volumes.some((volume: { name: string }) => volume.name === 'certs')).toBe(false);
  expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'tls', mountPath: '/etc/slimguard/tls', readOnly: true });
  const args = serveArgs(rendered);
  expect(flagValues(args, '--tls-cert')).toEqual(['/etc/slimguard/tls/tls.crt']);
  expect(flagValues(args, '--tls-key')).toEqual(['/etc/slimguard/tls/tls.key']);
  expect(args).not.toContain('--cert-bootstrap-secret');
}
