import { X509Certificate } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { CertificateSecretStore, StoredSecret } from '../kube/certificate-secret.js';
import { describeKubeError, KubeError, statusCodeOf } from '../kube/errors.js';
import { decideCertificates, DEFAULT_LIFETIMES, planChanges, type CertificateLifetimes, type WantedNames } from './certificate-decision.js';
import { renewCertificates } from './certificate-renewal.js';
import { parseCertificateSecret, SECRET_KEYS, type CertificateSecretData } from './certificate-secret-data.js';
import { CertsError } from './errors.js';
import { writeFileAtomic } from './write-file-atomic.js';

export interface CertificateBootstrapperOptions {
  store: CertificateSecretStore;
  wanted: WantedNames;
  /** tls.crt and tls.key are written here for the TLS reloader. */
  certDir: string;
  /**
   * Puts the CA bundle into the webhook configuration (patchWebhookCaBundle, which reads first and
   * writes only a difference); none: not patched. Called on every pass, so a caBundle that a
   * `helm upgrade` or a person reset is put back.
   */
  patchCaBundle?: ((caBundlePem: string) => Promise<unknown>) | undefined;
  /** Watches the webhook configuration, so such a reset is repaired at once rather than at the next timer. */
  watchWebhookConfiguration?: ((onChange: () => void, onEnd: (error?: unknown) => void) => Promise<() => void>) | undefined;
  lifetimes?: CertificateLifetimes | undefined;
  /** The clock (tests inject one). Default: the system clock. */
  now?: (() => Date) | undefined;
  /** Re-check this often even when no renewal is due (the Secret may have been edited). Default 1 h. */
  recheckIntervalMs?: number | undefined;
  /** Backoff after a failure: first delay (default 1 s), doubled up to maxDelayMs (default 60 s). */
  retry?: { initialDelayMs?: number; maxDelayMs?: number } | undefined;
  /** Subject CN of a new CA. Default "slimguard-ca". */
  caCommonName?: string | undefined;
  /** Called after new files were written (and the bundle patched): reload TLS, set metrics. Must not throw. */
  onCertificates?: ((certificates: BootstrappedCertificates) => void) | undefined;
  logger: Logger;
}

/** What is being served, without key material. */
export interface BootstrappedCertificates {
  certFile: string;
  keyFile: string;
  /** Upper-case hex, as node:crypto (and the TLS reloader) print it. */
  servingSerialNumber: string;
  servingNotAfter: Date;
  caNotAfter: Date;
  /** How many CA certificates the bundle holds (2 during a rotation). */
  caBundleSize: number;
}

export interface CertificateBootstrapper {
  readonly certFile: string;
  readonly keyFile: string;
  /**
   * One pass: read the Secret, decide, create or update it (racing writers re-read and decide
   * again), patch the caBundle, write the files. Throws CertsError or KubeError.
   */
  reconcile(): Promise<BootstrappedCertificates>;
  /**
   * Bootstraps (retrying transient failures until timeoutMs), then keeps watching: the Secret
   * (another replica's rotation) and a timer (renewals). Rejects on a failure retrying cannot fix
   * (RBAC forbidden, a missing namespace) or at the timeout.
   */
  start(options?: { timeoutMs?: number }): Promise<BootstrappedCertificates>;
  stop(): Promise<void>;
  current(): BootstrappedCertificates | undefined;
}

const MAX_WRITE_ATTEMPTS = 5;
const HOUR_MS = 3_600_000;

export function createCertificateBootstrapper(options: CertificateBootstrapperOptions): CertificateBootstrapper {
  const { store, wanted, logger } = options;
  const lifetimes = options.lifetimes ?? DEFAULT_LIFETIMES;
  const now = options.now ?? (() => new Date());
  const recheckIntervalMs = options.recheckIntervalMs ?? HOUR_MS;
  const initialDelayMs = options.retry?.initialDelayMs ?? 1000;
  const maxDelayMs = options.retry?.maxDelayMs ?? 60_000;
  const caCommonName = options.caCommonName ?? 'slimguard-ca';
  const certFile = join(options.certDir, 'tls.crt');
  const keyFile = join(options.certDir, 'tls.key');
  const secretName = `${store.namespace}/${store.name}`;

  let current: BootstrappedCertificates | undefined;
  let written: { cert: string; key: string } | undefined;
  let resourceVersion: string | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const watches: Record<'secret' | 'webhookConfiguration', { stop?: (() => void) | undefined }> = { secret: {}, webhookConfiguration: {} };
  let consecutiveFailures = 0;
  let running: Promise<BootstrappedCertificates> | undefined;
  let rerun = false;
  /** When the installed Secret next needs a change by time alone (epoch ms). */
  let dueAt: number | undefined;

  async function pass(): Promise<BootstrappedCertificates> {
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
      const secret = await store.read();
      const parsed = secret === undefined ? undefined : parseCertificateSecret(secret.data);
      const plan = decideCertificates(parsed, wanted, now(), lifetimes);
      if (secret !== undefined && !planChanges(plan)) return install(secret);

      const data = renewCertificates({ plan, parsed, wanted, now: now(), lifetimes, caCommonName });
      const action = secret === undefined ? 'create' : 'update';
      logger.info({ secret: secretName, action, ca: plan.ca, issueServing: plan.issueServing, reasons: plan.reasons }, `writing the certificate Secret: ${plan.reasons.join('; ')}`);
      const result = secret === undefined ? await store.create(data) : await store.update(data, secret.resourceVersion);
      if (result === 'exists' || result === 'conflict') {
        // Another replica wrote first: use what it wrote (read again and decide again).
        logger.info({ secret: secretName, attempt }, result === 'exists' ? 'another replica created the certificate Secret first; using it' : 'the certificate Secret changed meanwhile; deciding again');
        continue;
      }
      return install(result);
    }
    throw new CertsError('SECRET_CONTENDED', `Secret ${secretName} changed under every one of ${MAX_WRITE_ATTEMPTS} attempts to write it; is another controller rewriting it?`, { retryable: true });
  }

  async function install(secret: StoredSecret): Promise<BootstrappedCertificates> {
    resourceVersion = secret.resourceVersion;
    const data: CertificateSecretData = secret.data;
    const bundle = data[SECRET_KEYS.caBundle]!;
    if (options.patchCaBundle !== undefined) {
      try {
        await options.patchCaBundle(bundle);
      } catch (error) {
        throw caBundleError(error);
      }
    }
    const cert = data[SECRET_KEYS.servingCert]!;
    const key = data[SECRET_KEYS.servingKey]!;
    const changed = written?.cert !== cert || written?.key !== key;
    if (changed) {
      try {
        await mkdir(options.certDir, { recursive: true });
        // Key first: a reader that sees the new certificate finds its key already there.
        await writeFileAtomic(keyFile, key, 0o600);
        await writeFileAtomic(certFile, cert, 0o644);
      } catch (error) {
        throw new CertsError('WRITE_FAILED', `cannot write ${certFile} and ${keyFile}: ${(error as Error).message}; --cert-dir must be a writable directory (the chart mounts an emptyDir)`, { cause: error, retryable: true });
      }
      written = { cert, key };
    }
    const parsed = parseCertificateSecret(data);
    dueAt = decideCertificates(parsed, wanted, now(), lifetimes).nextCheckAt.getTime();
    const serving = new X509Certificate(cert);
    current = {
      certFile,
      keyFile,
      servingSerialNumber: serving.serialNumber,
      servingNotAfter: new Date(serving.validTo),
      caNotAfter: new Date(parsed.ca!.cert.validTo),
      caBundleSize: parsed.bundle.length,
    };
    if (changed) {
      logger.info({ secret: secretName, serialNumber: current.servingSerialNumber, notAfter: current.servingNotAfter.toISOString(), caBundleSize: current.caBundleSize }, 'serving certificate from the Secret installed');
      try {
        options.onCertificates?.(current);
      } catch (error) {
        logger.error({ err: error }, 'onCertificates hook failed');
      }
    }
    return current;
  }

  /** One pass at a time; a request during a pass runs one more after it. */
  function reconcile(): Promise<BootstrappedCertificates> {
    if (running !== undefined) {
      rerun = true;
      return running;
    }
    running = (async () => {
      try {
        let result = await pass();
        while (rerun) {
          rerun = false;
          result = await pass();
        }
        return result;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function schedule(delayMs: number): void {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => void background(), Math.max(0, delayMs));
    timer.unref();
  }

  async function background(): Promise<void> {
    if (stopped) return;
    try {
      await reconcile();
      consecutiveFailures = 0;
      schedule(untilDue());
      ensureWatch();
    } catch (error) {
      consecutiveFailures += 1;
      const delayMs = backoff();
      logger.error({ secret: secretName, error: messageOf(error), attempt: consecutiveFailures, retryInMs: delayMs }, 'certificate bootstrap failed; still serving the previous certificate');
      schedule(delayMs);
    }
  }

  /** Until the next pass after a success: the periodic re-check, or sooner when a renewal is due. */
  function untilDue(): number {
    return dueAt === undefined ? recheckIntervalMs : Math.min(recheckIntervalMs, Math.max(1000, dueAt - now().getTime()));
  }

  function backoff(): number {
    return Math.min(initialDelayMs * 2 ** Math.min(Math.max(consecutiveFailures - 1, 0), 30), maxDelayMs);
  }

  /** Keeps the Secret watch (from the last version seen) and the webhook configuration watch running. */
  function ensureWatch(): void {
    if (resourceVersion !== undefined) {
      const from = resourceVersion;
      keepWatching('secret', (onChange, onEnd) => store.watch(from, onChange, onEnd));
    }
    const watchConfiguration = options.watchWebhookConfiguration;
    if (watchConfiguration !== undefined) keepWatching('webhookConfiguration', watchConfiguration);
  }

  function keepWatching(which: keyof typeof watches, start: (onChange: () => void, onEnd: (error?: unknown) => void) => Promise<() => void>): void {
    const slot = watches[which];
    if (stopped || slot.stop !== undefined) return;
    let stopThis: (() => void) | undefined;
    slot.stop = () => stopThis?.();
    start(
      // Our own writes come back here too; the pass that follows finds nothing to do.
      () => schedule(0),
      (error) => {
        slot.stop = undefined;
        if (stopped) return;
        if (error !== undefined) logger.warn({ secret: secretName, watch: which, error: messageOf(error) }, 'certificate bootstrap watch ended; re-reading');
        // Re-read (the Secret's fresh resourceVersion) and watch again, after a pause on errors.
        schedule(error === undefined ? 0 : backoff());
      },
    ).then(
      (stop) => {
        stopThis = stop;
        if (stopped) stop();
      },
      (error: unknown) => {
        slot.stop = undefined;
        logger.warn({ secret: secretName, watch: which, error: messageOf(error) }, 'certificate bootstrap cannot watch');
      },
    );
  }

  return {
    certFile,
    keyFile,
    reconcile,
    async start(startOptions = {}) {
      stopped = false;
      const deadline = Date.now() + (startOptions.timeoutMs ?? 120_000);
      for (;;) {
        try {
          const result = await reconcile();
          consecutiveFailures = 0;
          schedule(untilDue());
          ensureWatch();
          return result;
        } catch (error) {
          consecutiveFailures += 1;
          const delayMs = backoff();
          if (!isRetryable(error) || Date.now() + delayMs > deadline || stopped) {
            throw error instanceof CertsError || error instanceof KubeError ? error : new CertsError('SECRET_UNAVAILABLE', messageOf(error), { cause: error });
          }
          logger.warn({ secret: secretName, error: messageOf(error), attempt: consecutiveFailures, retryInMs: delayMs }, 'certificate bootstrap failed; retrying');
          await new Promise((resolve) => setTimeout(resolve, delayMs));
        }
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      for (const slot of Object.values(watches)) {
        slot.stop?.();
        slot.stop = undefined;
      }
      await running?.catch(() => undefined);
    },
    current: () => current,
  };
}

/** A failure that a later attempt may not repeat: the API server down or busy, a race, a missing webhook configuration. */
function isRetryable(error: unknown): boolean {
  if (error instanceof CertsError) return error.retryable;
  if (error instanceof KubeError) {
    if (error.code === 'FORBIDDEN' || error.code === 'SECRET_TYPE_MISMATCH') return false;
    const status = error.statusCode;
    return status === undefined || status === 409 || status === 429 || status >= 500 || error.code === 'WEBHOOK_CONFIGURATION_NOT_FOUND';
  }
  return false;
}

function caBundleError(error: unknown): CertsError {
  const status = statusCodeOf(error);
  const message = error instanceof KubeError ? error.message : describeKubeError(error);
  const hint =
    status === 403
      ? '; grant get and patch on validatingwebhookconfigurations (resourceNames: the --webhook-configuration name) in a ClusterRole bound to the ServiceAccount'
      : error instanceof KubeError && error.code === 'WEBHOOK_CONFIGURATION_NOT_FOUND'
        ? '; create it, or fix --webhook-configuration'
        : '';
  return new CertsError('CA_BUNDLE_PATCH_FAILED', `${message}${hint}`, { cause: error, retryable: status !== 403 });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
