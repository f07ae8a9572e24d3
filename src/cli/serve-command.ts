import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createServingCertificate } from '../certs/certificates.js';
import { DEFAULT_POLICY_SOURCE, defaultPolicy } from '../config/default-policy.js';
import { createPolicyWatcher, type PolicyWatcher } from '../config/policy-watcher.js';
import { createImageSource } from '../image-facts/create-image-source.js';
import { createMetricsServer, createWebhookServer } from '../http/index.js';
import { createMetrics, policyHash, registryOutcomeOfError } from '../metrics/index.js';
import type { Policy } from '../policy/policy.js';
import { loadDockerConfigKeychain } from '../registry/docker-config-keychain.js';
import { createReviewHandler } from '../webhook/review-handler.js';
import { connectCluster } from './connect-cluster.js';
import { createLogger } from './logger.js';

export interface ServeOptions {
  policy?: string;
  listen: { host: string; port: number };
  /**
   * Listen with SO_REUSEPORT so several slimguard processes share the webhook port (one per core).
   * Each process has its own image cache and its own metrics port.
   */
  reusePort?: boolean;
  metricsListen: { host: string; port: number };
  tlsCert?: string;
  tlsKey?: string;
  insecureRegistry: string[];
  allowPrivateNetworks: boolean;
  kubeconfig?: string;
  excludeNamespaces: string[];
  excludeUsernames: string[];
  pullSecrets: boolean;
  registryAuthFile?: string;
  logLevel: string;
  shutdownGraceMs: number;
  /** After SIGTERM, keep the listener open (unready) this long so endpoint removal reaches every API server. */
  shutdownDelayMs: number;
  version: string;
}

export interface RunningServe {
  webhookAddress(): { host: string; port: number };
  metricsAddress(): { host: string; port: number };
  policy(): Policy;
  stop(): Promise<void>;
}

/**
 * Composition root of the webhook: policy (reloaded live), image source, cluster view (or
 * none), metrics, HTTPS server. Everything started here is stopped by stop(), in reverse.
 */
export async function startServe(options: ServeOptions, logger: Logger = createLogger(options.logLevel).logger): Promise<RunningServe> {
  const metrics = createMetrics({ version: options.version, knownRegistries: options.insecureRegistry });
  const stops: (() => Promise<void> | void)[] = [];

  let watcher: PolicyWatcher | undefined;
  if (options.policy) {
    watcher = await createPolicyWatcher({
      path: options.policy,
      onReload: ({ ok, policy, error }) => {
        metrics.recordPolicyReload(ok);
        if (ok) {
          metrics.setPolicyInfo({ name: policy.name, hash: policyHash(JSON.stringify(policy)) });
          logger.info({ policy: policy.name, file: options.policy }, 'policy reloaded');
        } else {
          logger.error({ file: options.policy, err: (error as Error).message }, 'new policy refused; the previous one stays in force');
        }
      },
    });
    stops.push(() => watcher?.close());
  }
  const currentPolicy = () => watcher?.current() ?? defaultPolicy;
  metrics.setPolicyInfo({ name: currentPolicy().name, hash: policyHash(JSON.stringify(currentPolicy())) });
  logger.info({ policy: currentPolicy().name, source: options.policy ?? DEFAULT_POLICY_SOURCE }, 'policy loaded');

  const keychain = await loadDockerConfigKeychain(options.registryAuthFile ? { path: options.registryAuthFile } : {});
  const source = createImageSource({
    insecureRegistries: options.insecureRegistry,
    allowPrivateNetworks: options.allowPrivateNetworks,
    keychain,
    onRegistryCall: ({ registry, durationSeconds, error }) =>
      metrics.recordRegistryRequest({ registry, durationSeconds, outcome: error === undefined ? 'ok' : registryOutcomeOfError(error) }),
  });
  metrics.setCacheStatsProvider(() => source.stats());
  stops.push(() => source.close());

  const cluster = await connectCluster({ kubeconfig: options.kubeconfig, pullSecrets: options.pullSecrets, logger });
  stops.push(() => cluster.stop());

  const tls = options.tlsCert && options.tlsKey ? { certFile: options.tlsCert, keyFile: options.tlsKey } : await developmentCertificate(logger);

  const handleReview = createReviewHandler({
    source,
    policy: currentPolicy,
    cluster: cluster.view,
    exclusions: { namespaces: options.excludeNamespaces, usernames: options.excludeUsernames },
    metrics,
    logger,
  });

  const server = createWebhookServer({
    handleReview: (review, context) => {
      const done = metrics.trackAdmissionInFlight();
      // handleReview is async (never throws synchronously); one then() instead of an async wrapper.
      const answer = handleReview(review, context);
      answer.then(done, done);
      return answer;
    },
    tls,
    listen: { ...options.listen, reusePort: options.reusePort ?? false },
    logger,
    isReady: () => {
      const reasons = cluster.synced() ? [] : ['cluster caches not synced yet'];
      return { ready: reasons.length === 0, reasons };
    },
    onTlsReload: (ok) => metrics.recordTlsReload(ok),
  });
  await server.start();
  stops.push(async () => {
    await server.shutdown({ graceMs: options.shutdownGraceMs, delayCloseMs: options.shutdownDelayMs });
  });

  const metricsServer = createMetricsServer({
    listen: options.metricsListen,
    handler: { contentType: metrics.contentType, metrics: () => metrics.metricsText() },
    logger,
  });
  await metricsServer.start();
  stops.push(() => metricsServer.close());

  logger.info({ webhook: server.address(), metrics: metricsServer.address() }, 'slimguard serving');
  return {
    webhookAddress: () => server.address(),
    metricsAddress: () => metricsServer.address(),
    policy: currentPolicy,
    async stop() {
      for (const stop of stops.reverse()) await stop();
    },
  };
}

/**
 * With no certificate given (a laptop, `npm start`), serve over a throw-away self-signed
 * certificate so the webhook runs at once; a cluster always mounts real files.
 */
async function developmentCertificate(logger: Logger): Promise<{ certFile: string; keyFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'slimguard-tls-'));
  const pair = createServingCertificate({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1', '::1'], validityDays: 30 });
  const certFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  await writeFile(certFile, pair.certPem);
  await writeFile(keyFile, pair.keyPem, { mode: 0o600 });
  logger.warn({ certFile }, 'no --tls-cert/--tls-key given: serving a self-signed development certificate');
  return { certFile, keyFile };
}
