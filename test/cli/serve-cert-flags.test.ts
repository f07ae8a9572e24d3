// `slimguard serve` bootstrap-mode flags as a user meets them: the built binary refuses what
// cannot work before anything listens, with a message saying what to do.
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// No cluster anywhere: no KUBECONFIG, no home kubeconfig, not in a pod.
const noCluster = { KUBECONFIG: '', HOME: '/nonexistent-home', KUBERNETES_SERVICE_HOST: '', KUBERNETES_SERVICE_PORT: '' };
const listen = ['--listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'];

describe('slimguard serve --cert-bootstrap-secret', () => {
  it('fails at start without a cluster, saying where it looked', async () => {
    const run = await runCli(['serve', '--cert-bootstrap-secret', 'slimguard-tls', '--cert-service', 'slimguard', ...listen], { env: noCluster });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'slimguard: --cert-bootstrap-secret needs a cluster to keep the certificate Secret in: run in a pod (in-cluster config) or give --kubeconfig; none found (KUBECONFIG is not set',
    );
    expect(run.stderr).toContain('/nonexistent-home/.kube/config does not exist');
  });

  it('refuses --cert-* flags without --cert-bootstrap-secret, and --tls-cert with it', async () => {
    const stray = await runCli(['serve', '--cert-ip-address', '127.0.0.1', ...listen], { env: noCluster });
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('the --cert-* and --webhook-configuration flags need --cert-bootstrap-secret');
    const both = await runCli(['serve', '--cert-bootstrap-secret', 's', '--tls-cert', 'a', '--tls-key', 'b', ...listen], { env: noCluster });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--cert-bootstrap-secret makes its own certificate: leave out --tls-cert/--tls-key');
    const badIp = await runCli(['serve', '--cert-bootstrap-secret', 's', '--cert-ip-address', 'localhost', ...listen], { env: noCluster });
    expect(badIp.code).toBe(2);
    expect(badIp.stderr).toContain('localhost is not an IPv4 or IPv6 address');
  });

  it('documents every bootstrap flag in --help', async () => {
    const help = await runCli(['serve', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--cert-bootstrap-secret <name>', '--cert-namespace <ns>', '--cert-service <name>', '--cert-dns-name <name>', '--cert-ip-address <ip>', '--webhook-configuration <name>', '--cert-dir <dir>']) {
      expect(help.stdout).toContain(flag);
    }
  });
});

describe('slimguard serve --tls-cert/--tls-key', () => {
  it('refuses one without the other, saying what to give', async () => {
    const run = await runCli(['serve', '--tls-cert', 'tls.crt', ...listen], { env: noCluster });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('slimguard: --tls-cert and --tls-key go together: give both files');
  });
});
