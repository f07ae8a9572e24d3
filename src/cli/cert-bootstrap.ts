import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createCertificateBootstrapper, type CertificateBootstrapper, type CertificateBootstrapperOptions } from '../certs/certificate-bootstrapper.js';
import type { WantedNames } from '../certs/certificate-decision.js';
import { CertsError } from '../certs/errors.js';
import { createCertificateSecretStore } from '../kube/certificate-secret.js';
import { resolveKubeConfig, SERVICE_ACCOUNT_DIR } from '../kube/kube-config.js';
import { GuardedWatch } from '../kube/informer-cache.js';
import { watchNamedObject } from '../kube/watch-named-object.js';
import { patchWebhookCaBundle } from '../kube/webhook-ca-bundle.js';

const WEBHOOK_CONFIGURATIONS_PATH = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

/** The `--cert-*` flags of `slimguard serve` (see the README's serve section). */
export interface CertBootstrapFlags {
  secret: string;
  namespace?: string | undefined;
  service?: string | undefined;
  dnsNames: string[];
  ipAddresses: string[];
  webhookConfiguration?: string | undefined;
  certDir?: string | undefined;
  kubeconfig?: string | undefined;
}

/** For tests: what the bootstrapper takes besides the flags (a clock, lifetimes, intervals). */
export type CertBootstrapTuning = Pick<CertificateBootstrapperOptions, 'lifetimes' | 'now' | 'recheckIntervalMs' | 'retry'>;

/**
 * Builds the bootstrapper from the flags: the cluster (required), the Secret's namespace, the
 * serving certificate's names, the certificate directory. Throws CertsError before anything starts
 * when the flags cannot work.
 */
export async function createCertBootstrap(
  flags: CertBootstrapFlags,
  logger: Logger,
  hooks: Pick<CertificateBootstrapperOptions, 'onCertificates'> & CertBootstrapTuning = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ bootstrapper: CertificateBootstrapper; namespace: string; wanted: WantedNames }> {
  const resolution = resolveKubeConfig({ kubeconfigPath: flags.kubeconfig, env });
  if (!resolution.enabled) {
    throw new CertsError(
      'NO_CLUSTER',
      `--cert-bootstrap-secret needs a cluster to keep the certificate Secret in: run in a pod (in-cluster config) or give --kubeconfig; none found (${resolution.reason})`,
    );
  }
  const { kubeConfig } = resolution;
  const namespace = secretNamespace(flags.namespace, env, kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace, resolution.source);
  const wanted = wantedNames(flags, namespace);
  const certDir = flags.certDir ?? (await mkdtemp(join(tmpdir(), 'slimguard-certs-')));
  if (flags.webhookConfiguration === undefined) {
    logger.warn({ secret: `${namespace}/${flags.secret}` }, 'no --webhook-configuration given: the caBundle is not patched, so API servers must trust the CA some other way');
  }
  const webhookConfiguration = flags.webhookConfiguration;
  const bootstrapper = createCertificateBootstrapper({
    ...hooks,
    store: createCertificateSecretStore({ kubeConfig, namespace, name: flags.secret, labels: { 'app.kubernetes.io/managed-by': 'slimguard' } }),
    wanted,
    certDir,
    patchCaBundle:
      webhookConfiguration === undefined ? undefined : (caBundlePem) => patchWebhookCaBundle({ kubeConfig, name: webhookConfiguration, caBundlePem, logger }),
    watchWebhookConfiguration:
      webhookConfiguration === undefined
        ? undefined
        : (onChange, onEnd) =>
            watchNamedObject({ watcher: new GuardedWatch(kubeConfig), path: WEBHOOK_CONFIGURATIONS_PATH, name: webhookConfiguration, onChange, onEnd }),
    logger,
  });
  logger.info({ secret: `${namespace}/${flags.secret}`, dnsNames: wanted.dnsNames, ipAddresses: wanted.ipAddresses, certDir, webhookConfiguration }, 'certificate bootstrap mode');
  return { bootstrapper, namespace, wanted };
}

/** --cert-namespace, else $POD_NAMESPACE, else the kubeconfig's (or the pod's service account's) namespace, else "default". */
export function secretNamespace(flag: string | undefined, env: NodeJS.ProcessEnv, contextNamespace: string | undefined, source: string): string {
  if (flag !== undefined && flag !== '') return flag;
  const fromEnv = env['POD_NAMESPACE'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (contextNamespace !== undefined && contextNamespace !== '') return contextNamespace;
  if (source === 'in-cluster service account') {
    try {
      const own = readFileSync(join(SERVICE_ACCOUNT_DIR, 'namespace'), 'utf8').trim();
      if (own !== '') return own;
    } catch {
      // No namespace file: fall through to "default".
    }
  }
  return 'default';
}

/** The Service's four DNS names, then the extra names; the CN is the Service's .svc name (or the first name). */
export function wantedNames(flags: Pick<CertBootstrapFlags, 'service' | 'dnsNames' | 'ipAddresses'>, namespace: string): WantedNames {
  const service = flags.service;
  const serviceNames = service === undefined || service === '' ? [] : [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
  const dnsNames = [...new Set([...serviceNames, ...flags.dnsNames])];
  const ipAddresses = [...new Set(flags.ipAddresses)];
  const commonName = serviceNames[2] ?? dnsNames[0] ?? ipAddresses[0];
  if (commonName === undefined) {
    throw new CertsError('INVALID_OPTION', '--cert-bootstrap-secret needs names for the serving certificate: give --cert-service, --cert-dns-name or --cert-ip-address');
  }
  return { commonName, dnsNames, ipAddresses };
}
