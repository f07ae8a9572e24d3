// The translation of the chart's container into a local command: pure, so checked on its own
// with containers shaped like the chart's (both `--flag=value` and `--flag value` forms).
import { describe, expect, it } from 'vitest';
import { localServeArgs, localServeEnv, serveFlags } from './local-serve-command.js';

const container = {
  name: 'slimguard',
  args: [
    'serve',
    '--listen=0.0.0.0:8443',
    '--metrics-listen', '0.0.0.0:8080',
    '--policy=/etc/slimguard/policy/policy.yaml',
    '--tls-cert=/etc/slimguard/tls/tls.crt',
    '--tls-key', '/etc/slimguard/tls/tls.key',
    '--insecure-registry=127.0.0.1:5000',
    '--insecure-registry=127.0.0.1:5001',
    '--pull-secrets',
    '--exclude-namespace=slimguard',
  ],
  env: [
    { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    { name: 'LOG_FORMAT', value: 'json' },
  ],
};
const rewrite = {
  mounts: { '/etc/slimguard/policy': '/tmp/run/policy', '/etc/slimguard/tls': '/tmp/run/tls', '/etc/slimguard': '/tmp/run/other' },
  listen: '127.0.0.1:40001',
  metricsListen: '127.0.0.1:40002',
  kubeconfig: '/tmp/run/sa.kubeconfig',
};

describe('localServeArgs', () => {
  it('keeps every chart flag, replaces the addresses and kubeconfig, and points mounted paths at their local copies', () => {
    expect(localServeArgs(container, rewrite)).toEqual([
      'serve',
      '--listen', '127.0.0.1:40001',
      '--metrics-listen', '127.0.0.1:40002',
      '--kubeconfig', '/tmp/run/sa.kubeconfig',
      '--policy=/tmp/run/policy/policy.yaml',
      '--tls-cert=/tmp/run/tls/tls.crt',
      '--tls-key=/tmp/run/tls/tls.key',
      '--insecure-registry=127.0.0.1:5000',
      '--insecure-registry=127.0.0.1:5001',
      '--pull-secrets',
      '--exclude-namespace=slimguard',
    ]);
  });

  it('finds the flags after `serve` in command + args, and refuses a container that does not serve', () => {
    expect(serveFlags({ name: 'x', command: ['node', '/app/dist/cli/main.js', 'serve'], args: ['--pull-secrets'] })).toEqual([['--pull-secrets', undefined]]);
    expect(() => serveFlags({ name: 'x', args: ['check', 'nginx'] })).toThrow(/does not run "slimguard serve"/);
    expect(() => serveFlags({ name: 'x', args: ['serve', 'stray'] })).toThrow(/unexpected word "stray"/);
  });
});

describe('localServeEnv', () => {
  it('resolves downward-API fields as kubelet would, and refuses what has no local equivalent', () => {
    expect(localServeEnv(container, { namespace: 'slimguard', name: 'slimguard-local', serviceAccountName: 'slimguard' })).toEqual({
      POD_NAMESPACE: 'slimguard',
      LOG_FORMAT: 'json',
    });
    const withResource = { name: 'x', env: [{ name: 'LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } }] };
    expect(() => localServeEnv(withResource, { namespace: 'n', name: 'p', serviceAccountName: 's' })).toThrow(/LIMIT .* has no local equivalent/);
  });
});
