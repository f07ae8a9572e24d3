// The chart installed as users install it (`helm install slimguard charts/slimguard -n slimguard
// --create-namespace`), with the webhook process run locally and reached through the chart's
// `webhook.url` client config.
//
// Why `url` and not the chart's default `service` client config: the API server resolves a
// service reference to the Service's ClusterIP (or, with --enable-aggregator-routing, to an
// endpoint address). This control plane has no nodes and no kube-proxy, so no ClusterIP routes
// anywhere, and the only address a local process has, 127.0.0.1, is refused in Endpoints and
// EndpointSlices ("may not be in the loopback range") — the setup file proves that against the API
// server. `url: https://127.0.0.1:PORT/validate` keeps everything else of the chart in play:
// the webhook rules, namespaceSelector, failurePolicy, timeout, RBAC, ConfigMap and caBundle.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createHelm, type Helm } from '../../harness/helm.js';
import { createKubectl, type Kubectl } from '../../harness/kubectl.js';
import { freePort } from '../../harness/free-port.js';
import '../../harness/provided-context.js';
import { CHART_DIR, NAMESPACE, RELEASE } from '../../../chart/helm.js';
import { startLocalWebhook, type LocalWebhook } from './local-webhook.js';

export { RELEASE, NAMESPACE as RELEASE_NAMESPACE };
/** The webhook's address as the API server sees it: loopback here, the docker network gateway for kind. */
export const WEBHOOK_HOST = process.env.SLIMGUARD_E2E_WEBHOOK_HOST || '127.0.0.1';

export interface SlimguardRelease {
  kubectl: Kubectl;
  helm: Helm;
  workDir: string;
  port: number;
  metricsPort: number;
  webhookUrl: string;
  install(values: Record<string, unknown>): Promise<void>;
  /** `helm upgrade --reuse-values --set ...` */
  upgrade(set: string[]): Promise<void>;
  /** Starts the chart's container command locally; stops a running one first. */
  startWebhook(trustedCa: () => Promise<string>): Promise<LocalWebhook>;
  webhook(): LocalWebhook | undefined;
  /** Stops the process, uninstalls the release, removes what the test added, keeps the namespace. */
  teardown(extraCleanup?: () => Promise<void>): Promise<void>;
}

export async function createSlimguardRelease(): Promise<SlimguardRelease> {
  const controlPlane = inject('controlPlane');
  const workDir = mkdtempSync(join(tmpdir(), 'slimguard-e2e-'));
  const kubectl = createKubectl({ kubectlPath: controlPlane.kubectlPath, kubeconfigPath: controlPlane.kubeconfigPath });
  const helm = createHelm({ helmPath: controlPlane.helmPath, kubeconfigPath: controlPlane.kubeconfigPath, homeDir: workDir });
  const port = await freePort(WEBHOOK_HOST);
  const metricsPort = await freePort();
  const webhookUrl = `https://${WEBHOOK_HOST}:${port}/validate`;
  let running: LocalWebhook | undefined;

  const valuesFile = (values: Record<string, unknown>) => {
    const path = join(workDir, `values-${Date.now()}.json`);
    // JSON is YAML: helm reads it as a values file, with no --set escaping of lists and dots.
    writeFileSync(path, JSON.stringify({ ...values, webhook: { ...(values.webhook as object), url: webhookUrl } }));
    return path;
  };

  return {
    kubectl,
    helm,
    workDir,
    port,
    metricsPort,
    webhookUrl,
    async install(values) {
      await helm.ok(['install', RELEASE, CHART_DIR, '-n', NAMESPACE, '--create-namespace', '-f', valuesFile(values)]);
    },
    async upgrade(set) {
      await helm.ok(['upgrade', RELEASE, CHART_DIR, '-n', NAMESPACE, '--reuse-values', ...set.flatMap((s) => ['--set', s])]);
    },
    async startWebhook(trustedCa) {
      await running?.stop();
      const dir = join(workDir, `run-${Date.now()}`);
      mkdirSync(dir);
      running = await startLocalWebhook({
        kubectl,
        host: WEBHOOK_HOST,
        port,
        metricsPort,
        namespace: NAMESPACE,
        deploymentName: RELEASE,
        server: controlPlane.server,
        serverCaPem: controlPlane.caPem,
        workDir: dir,
        trustedCa,
      });
      return running;
    },
    webhook: () => running,
    async teardown(extraCleanup) {
      try {
        await running?.stop();
        await helm.run(['uninstall', RELEASE, '-n', NAMESPACE, '--wait']);
        await extraCleanup?.();
      } finally {
        if (process.env.SLIMGUARD_KEEP_HARNESS !== '1') rmSync(workDir, { recursive: true, force: true });
      }
    },
  };
}
