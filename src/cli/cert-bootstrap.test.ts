import { describe, expect, it } from 'vitest';
import { secretNamespace, wantedNames } from './cert-bootstrap.js';

describe('wantedNames', () => {
  it("gives the Service's four DNS names first, then the extra names and IPs, without repeats", () => {
    expect(wantedNames({ service: 'slimguard', dnsNames: ['hook.example', 'slimguard'], ipAddresses: ['127.0.0.1', '127.0.0.1'] }, 'guard')).toEqual({
      commonName: 'slimguard.guard.svc',
      dnsNames: ['slimguard', 'slimguard.guard', 'slimguard.guard.svc', 'slimguard.guard.svc.cluster.local', 'hook.example'],
      ipAddresses: ['127.0.0.1'],
    });
  });

  it('names the certificate after the first extra name without a Service, and refuses no names at all', () => {
    expect(wantedNames({ dnsNames: [], ipAddresses: ['::1'] }, 'ns').commonName).toBe('::1');
    expect(wantedNames({ dnsNames: ['a.example'], ipAddresses: ['::1'] }, 'ns').commonName).toBe('a.example');
    expect(() => wantedNames({ dnsNames: [], ipAddresses: [] }, 'ns')).toThrow(/give --cert-service, --cert-dns-name or --cert-ip-address/);
  });
});

describe('secretNamespace', () => {
  it('takes the flag, then $POD_NAMESPACE, then the kubeconfig context, then "default"', () => {
    expect(secretNamespace('flag', { POD_NAMESPACE: 'pod' }, 'ctx', 'kubeconfig x')).toBe('flag');
    expect(secretNamespace(undefined, { POD_NAMESPACE: 'pod' }, 'ctx', 'kubeconfig x')).toBe('pod');
    expect(secretNamespace(undefined, { POD_NAMESPACE: '' }, 'ctx', 'kubeconfig x')).toBe('ctx');
    expect(secretNamespace(undefined, {}, undefined, 'kubeconfig x')).toBe('default');
  });
});
