import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import { TlsLoadError } from './errors.js';

export interface TlsFiles {
  /** PEM certificate, optionally followed by its chain (cert-manager's `tls.crt`). */
  certFile: string;
  /** PEM private key matching the first certificate (`tls.key`). */
  keyFile: string;
}

/** A certificate and key that were read together and checked to make a working pair. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Upper-case hex, as node:crypto prints it. */
  serialNumber: string;
  validFrom: Date;
  validTo: Date;
  subject: string;
  /** sha256 of cert and key, to tell a rotation from a touch that changed nothing. */
  fingerprint: string;
}

/**
 * Reads both files and checks them: a PEM certificate, a PEM key, the key belongs to the
 * certificate, and OpenSSL accepts the pair with the server's TLS options (which catches, for
 * example, a key too weak for the security level). Throws TlsLoadError naming the file at fault;
 * the message never contains key material.
 */
export async function readTlsMaterial(files: TlsFiles, contextOptions: SecureContextOptions = {}): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readPem(files.certFile, 'certificate'), readPem(files.keyFile, 'key')]);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new TlsLoadError(`${files.certFile}: not a PEM certificate (${messageOf(error)})`, { cause: error });
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TlsLoadError(`${files.keyFile}: not a usable PEM private key (${messageOf(error)})`, { cause: error });
  }
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsLoadError(`${files.keyFile} does not match the certificate in ${files.certFile}`);
  }
  try {
    createSecureContext({ ...contextOptions, cert, key });
  } catch (error) {
    throw new TlsLoadError(`${files.certFile} and ${files.keyFile} are refused by TLS: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return {
    cert,
    key,
    serialNumber: certificate.serialNumber,
    validFrom: new Date(certificate.validFrom),
    validTo: new Date(certificate.validTo),
    subject: certificate.subject.replace(/\n/g, ', '),
    fingerprint: fingerprintOf(cert, key),
  };
}

export interface TlsReloaderOptions extends TlsFiles {
  /** Installs a checked pair, e.g. `material => server.setSecureContext({...})`. Must not throw. */
  apply(material: TlsMaterial): void;
  /** The server's TLS options, so a pair is checked exactly as the server will use it. */
  contextOptions?: SecureContextOptions;
  logger?: Logger;
  /** Called after each attempt to install changed files: true installed, false refused (old pair kept). */
  onReload?(ok: boolean): void;
  /** Events within this window are one change (a rotation touches several files). Default 250 ms. */
  debounceMs?: number;
  /**
   * Re-reads the files this often even without a file event, because inotify can miss changes
   * (some network and overlay filesystems, a watched directory replaced). 0 turns it off. Default 30 s.
   */
  pollIntervalMs?: number;
  /** Watch the directories for changes. Default true; false leaves only polling. */
  watch?: boolean;
}

export interface TlsReloadStats {
  /** Changed pairs installed. */
  reloads: number;
  /** Changed pairs refused (the previous pair kept serving). */
  failures: number;
}

export interface TlsReloader {
  /** The first read; throws TlsLoadError. Call before start(). */
  load(): Promise<TlsMaterial>;
  /** Starts watching the files' directories (and polling). */
  start(): void;
  /** Re-reads now: 'installed', 'refused', or 'unchanged' (same bytes as installed, or as last refused). */
  reload(): Promise<'installed' | 'refused' | 'unchanged'>;
  stop(): void;
  /** The pair being served, once load() succeeded. */
  current(): TlsMaterial | undefined;
  stats(): TlsReloadStats;
}

/**
 * Keeps a TLS pair in sync with its files. Kubernetes updates a Secret volume atomically: it
 * writes a new timestamped directory, points the `..data_tmp` symlink at it and renames that over
 * `..data`, so `tls.crt -> ..data/tls.crt` changes target in one step. A watch on a file would
 * keep following the old inode, so the directory is watched instead; every event there (re)reads
 * both files after a short debounce. A pair that fails the checks is logged, counted and not
 * installed, and the pair already being served stays.
 */
export function createTlsReloader(options: TlsReloaderOptions): TlsReloader {
  const { certFile, keyFile, apply, logger, onReload } = options;
  const files: TlsFiles = { certFile, keyFile };
  const contextOptions = options.contextOptions ?? {};
  const debounceMs = options.debounceMs ?? 250;
  const pollIntervalMs = options.pollIntervalMs ?? 30_000;
  const watchEnabled = options.watch ?? true;

  let material: TlsMaterial | undefined;
  /** Fingerprint (or read error) of the last refused attempt, so a poll does not count it again. */
  let lastRefused: string | undefined;
  const stats: TlsReloadStats = { reloads: 0, failures: 0 };
  let watchers: FSWatcher[] = [];
  let debounceTimer: NodeJS.Timeout | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let running: Promise<'installed' | 'refused' | 'unchanged'> | undefined;
  let rerun = false;
  let started = false;

  function describe(loaded: TlsMaterial) {
    return { serialNumber: loaded.serialNumber, subject: loaded.subject, validTo: loaded.validTo.toISOString() };
  }

  function warnIfOutOfValidity(loaded: TlsMaterial) {
    const now = Date.now();
    if (loaded.validTo.getTime() <= now) logger?.warn({ tls: describe(loaded) }, 'serving certificate has expired');
    else if (loaded.validFrom.getTime() > now) logger?.warn({ tls: describe(loaded) }, 'serving certificate is not valid yet');
  }

  async function attempt(): Promise<'installed' | 'refused' | 'unchanged'> {
    let next: TlsMaterial;
    try {
      next = await readTlsMaterial(files, contextOptions);
    } catch (error) {
      const signature = await refusalSignature(files, error);
      if (signature === lastRefused) return 'unchanged';
      lastRefused = signature;
      stats.failures += 1;
      logger?.error(
        { err: error, tls: material === undefined ? undefined : describe(material) },
        'TLS reload refused; still serving the previous certificate',
      );
      safely(() => onReload?.(false));
      return 'refused';
    }
    if (next.fingerprint === material?.fingerprint) {
      lastRefused = undefined;
      return 'unchanged';
    }
    apply(next);
    material = next;
    lastRefused = undefined;
    stats.reloads += 1;
    logger?.info({ tls: describe(next) }, 'TLS certificate reloaded');
    warnIfOutOfValidity(next);
    safely(() => onReload?.(true));
    return 'installed';
  }

  /** One attempt at a time; a request during an attempt runs once more after it. */
  function reload(): Promise<'installed' | 'refused' | 'unchanged'> {
    if (running !== undefined) {
      rerun = true;
      return running;
    }
    running = (async () => {
      try {
        let result = await attempt();
        while (rerun) {
          rerun = false;
          const again = await attempt();
          if (again !== 'unchanged') result = again;
        }
        return result;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function schedule() {
    if (debounceTimer !== undefined) clearTimeout(debounceTimer);
    debounceTimer = setTimeout(() => {
      debounceTimer = undefined;
      void reload();
    }, debounceMs);
    debounceTimer.unref();
  }

  function watchDirectories() {
    for (const directory of new Set([dirname(certFile), dirname(keyFile)])) {
      try {
        const watcher = watch(directory, { persistent: false }, schedule);
        watcher.on('error', (error) => {
          logger?.warn({ err: error, directory }, 'TLS directory watch failed; relying on polling');
          watcher.close();
          watchers = watchers.filter((other) => other !== watcher);
        });
        watchers.push(watcher);
      } catch (error) {
        logger?.warn({ err: error, directory }, 'cannot watch TLS directory; relying on polling');
      }
    }
  }

  return {
    async load() {
      material = await readTlsMaterial(files, contextOptions);
      logger?.info({ tls: describe(material) }, 'TLS certificate loaded');
      warnIfOutOfValidity(material);
      return material;
    },
    start() {
      if (started) return;
      started = true;
      if (watchEnabled) watchDirectories();
      if (pollIntervalMs > 0) {
        pollTimer = setInterval(() => {
          // A watcher that died (its directory was replaced) is recreated on the next poll.
          if (watchEnabled && watchers.length === 0) watchDirectories();
          void reload();
        }, pollIntervalMs);
        pollTimer.unref();
      }
    },
    reload,
    stop() {
      started = false;
      for (const watcher of watchers) watcher.close();
      watchers = [];
      if (debounceTimer !== undefined) clearTimeout(debounceTimer);
      if (pollTimer !== undefined) clearInterval(pollTimer);
      debounceTimer = undefined;
      pollTimer = undefined;
    },
    current: () => material,
    stats: () => ({ ...stats }),
  };
}

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new TlsLoadError(`cannot read TLS ${what} ${file}: ${messageOf(error)}`, { cause: error });
  }
}

function fingerprintOf(cert: Buffer, key: Buffer): string {
  return createHash('sha256').update(cert).update('\0').update(key).digest('hex');
}

/** Identifies a refused state: the bytes when both files could be read, else the error. */
async function refusalSignature(files: TlsFiles, error: unknown): Promise<string> {
  try {
    const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
    return fingerprintOf(cert, key);
  } catch {
    return `error:${messageOf(error)}`;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function safely(callback: () => void) {
  try {
    callback();
  } catch {
    // A metrics hook must never break certificate reloading.
  }
}
