import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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
import { createCertBootstrap, type CertBootstrapFlags, type CertBootstrapTuning } from './cert-bootstrap.js';
import { connectCluster } from './connect-cluster.js';
import { createLogger, infoLineWriterOf } from './logger.js';

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
  /**
   * `--cert-bootstrap-secret` and the other `--cert-*` flags (plus --webhook-configuration):
   * slimguard keeps its own CA and serving certificate in this Secret. Replaces tlsCert/tlsKey.
   */
  certBootstrap?: (Omit<CertBootstrapFlags, 'kubeconfig'> & { tuning?: CertBootstrapTuning }) | undefined;
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

  // Bootstrap mode fails here, before anything listens, when the flags cannot work (no cluster, no names).
  let served: (() => boolean) | undefined;
  const boot =
    options.certBootstrap === undefined
      ? undefined
      : await createCertBootstrap({ ...options.certBootstrap, kubeconfig: options.kubeconfig }, logger, {
          ...options.certBootstrap.tuning,
          onCertificates: (certificates) => {
            metrics.setCertificateExpiry('serving', certificates.servingNotAfter);
            metrics.setCertificateExpiry('ca', certificates.caNotAfter);
            // The directory watch would notice too; asking at once makes the switch prompt.
            void server.reloadTls();
          },
        });
  const tls = boot
    ? await placeholderCertificate(boot.bootstrapper, logger)
    : options.tlsCert && options.tlsKey
      ? { certFile: options.tlsCert, keyFile: options.tlsKey }
      : await developmentCertificate(logger);
  if (boot) {
    // Ready once the bootstrapped certificate has been served (not the placeholder); it stays ready
    // across later rotations, which only swap one trusted certificate for another.
    let servedOnce = false;
    served = () => {
      const wanted = boot.bootstrapper.current()?.servingSerialNumber;
      servedOnce ||= wanted !== undefined && server.tlsCertificate()?.serialNumber === wanted;
      return servedOnce;
    };
  }

  const fastLine = infoLineWriterOf(logger);
  const handleReview = createReviewHandler({
    source,
    policy: currentPolicy,
    cluster: cluster.view,
    exclusions: { namespaces: options.excludeNamespaces, usernames: options.excludeUsernames },
    metrics,
    logger,
    // A logger of createLogger's has a pino-shaped line writer; any other falls back to logger.info.
    ...(fastLine === undefined ? {} : { writeDecisionLine: fastLine }),
  });

  const server = createWebhookServer({
    handleReview: (review, context) => {
      const done = metrics.trackAdmissionInFlight();
      // handleReview never throws synchronously; a warm review's answer comes back as a value.
      const answer = handleReview(review, context);
      if (answer instanceof Promise) answer.then(done, done);
      else done();
      return answer;
    },
    tls,
    listen: { ...options.listen, reusePort: options.reusePort ?? false },
    logger,
    isReady: () => {
      const reasons = cluster.synced() ? [] : ['cluster caches not synced yet'];
      if (served !== undefined && !served()) reasons.push('certificate bootstrap pending');
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

  if (boot) {
    stops.push(() => boot.bootstrapper.stop());
    try {
      await boot.bootstrapper.start();
    } catch (error) {
      for (const stop of stops.reverse()) await stop();
      throw error;
    }
  }

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
  const files = await writeSelfSigned({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }, 'localhost', 30);
  logger.warn({ certFile: files.certFile }, 'no --tls-cert/--tls-key given: serving a self-signed development certificate');
  return files;
}

/**
 * Bootstrap mode: until the Secret's certificate is in --cert-dir, the server answers over a
 * self-signed placeholder that nobody trusts, so that /healthz works and /readyz can say 503.
 */
async function placeholderCertificate(files: { certFile: string; keyFile: string }, logger: Logger): Promise<{ certFile: string; keyFile: string }> {
  await mkdir(dirname(files.certFile), { recursive: true });
  logger.info({ certFile: files.certFile }, 'serving a placeholder certificate until the bootstrapped one is written');
  return writeSelfSigned({ certFile: files.certFile, keyFile: files.keyFile }, 'slimguard-bootstrap-pending', 1);
}

async function writeSelfSigned(files: { certFile: string; keyFile: string }, name: string, validityDays: number) {
  const pair = createServingCertificate({ commonName: name, dnsNames: [name], ipAddresses: ['127.0.0.1', '::1'], validityDays });
  await writeFile(files.certFile, pair.certPem);
  await writeFile(files.keyFile, pair.keyPem, { mode: 0o600 });
  return { certFile: files.certFile, keyFile: files.keyFile };
}
