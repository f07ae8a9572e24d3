// Starts a real OCI registry (Debian's docker-registry, distribution 2.8) on a free loopback
// port with a generated config. Several registries may share one storage directory: with no
// blob descriptor cache, an image pushed through one is visible through all at once.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { stringify } from 'yaml';
import { TEST_CREDENTIALS, type Credentials } from './test-credentials.js';
import type { TokenAuthSettings } from './token-server.js';

export const REGISTRY_BINARY = process.env.SLIMGUARD_REGISTRY_BINARY ?? 'docker-registry';

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface StartRegistryOptions {
  auth: RegistryAuth;
  /** Filesystem storage root; share it between registries to see the same images. */
  storageDir: string;
  /** Names the config and log files; default the auth kind. */
  name?: string;
  /** Where config, htpasswd and logs go; default a new temp dir, removed by stop(). */
  workDir?: string;
  /** The user of the basic-auth registry (default TEST_CREDENTIALS). */
  credentials?: Credentials;
  /** Required for auth 'token': usually `tokenServer.registryAuth`. */
  token?: TokenAuthSettings;
  readyTimeoutMs?: number;
}

export interface RunningRegistry {
  name: string;
  auth: RegistryAuth;
  /** `127.0.0.1:PORT`, what an image reference starts with. */
  host: string;
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The registry's stdout: one combined-format line per request (see access-log.ts). */
  accessLogPath: string;
  /** The registry's stderr: its own (logrus) log. */
  logPath: string;
  configPath: string;
  pid: number;
  stop(): Promise<void>;
}

export class RegistryStartError extends Error {
  readonly code = 'REGISTRY_START_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryStartError';
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function tail(path: string, lines = 30): string {
  if (!existsSync(path)) return '(no log)';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function htpasswdLine(credentials: Credentials): string {
  // distribution only accepts bcrypt entries; -B is bcrypt, -n prints instead of writing a file.
  return execFileSync('htpasswd', ['-Bbn', credentials.username, credentials.password], { encoding: 'utf8' }).trim();
}

function registryConfig(options: StartRegistryOptions, port: number, htpasswdPath: string | undefined): unknown {
  let auth: unknown;
  if (options.auth === 'basic') {
    auth = { htpasswd: { realm: 'slimguard-test', path: htpasswdPath } };
  } else if (options.auth === 'token') {
    if (!options.token) throw new RegistryStartError('a token registry needs options.token (the token server settings)');
    auth = {
      token: {
        realm: options.token.realm,
        service: options.token.service,
        issuer: options.token.issuer,
        rootcertbundle: options.token.rootCertBundlePath,
      },
    };
  }
  return {
    version: 0.1,
    log: { level: 'info', formatter: 'text', accesslog: { disabled: false } },
    storage: {
      filesystem: { rootdirectory: options.storageDir },
      delete: { enabled: true },
      // No `cache` section on purpose: a blob descriptor cache would hide blobs pushed through
      // another registry that shares this storage.
      maintenance: { uploadpurging: { enabled: false } },
    },
    http: { addr: `127.0.0.1:${port}`, secret: randomBytes(16).toString('hex') },
    ...(auth ? { auth } : {}),
  };
}

/** The environment without REGISTRY_* variables, which would override the generated config. */
function registryEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('REGISTRY_')));
}

async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (!(await waitForExit(child, 5_000))) {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
}

/** Polls GET /v2/ until the registry answers 200 (anonymous) or 401 (auth); fails if it exits. */
async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<'ready' | 'exited'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return 'exited';
    try {
      const response = await request(`${url}/v2/`, { method: 'GET', headersTimeout: 1_000, bodyTimeout: 1_000 });
      await response.body.dump();
      if (response.statusCode === 200 || response.statusCode === 401) return 'ready';
    } catch {
      // Not listening yet.
    }
    await sleep(50);
  }
  throw new RegistryStartError(`registry at ${url} was not ready within ${timeoutMs} ms`);
}

export async function startRegistry(options: StartRegistryOptions): Promise<RunningRegistry> {
  const name = options.name ?? options.auth;
  if (options.workDir !== undefined) return startInWorkDir(options, name, options.workDir, false);
  const workDir = mkdtempSync(join(tmpdir(), `slimguard-registry-${name}-`));
  try {
    return await startInWorkDir(options, name, workDir, true);
  } catch (error) {
    // The error already carries the log tail; a temp dir of our own is not left behind.
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

async function startInWorkDir(options: StartRegistryOptions, name: string, workDir: string, ownWorkDir: boolean): Promise<RunningRegistry> {
  mkdirSync(workDir, { recursive: true });
  mkdirSync(options.storageDir, { recursive: true });
  const configPath = join(workDir, `${name}-config.yml`);
  const accessLogPath = join(workDir, `${name}-access.log`);
  const logPath = join(workDir, `${name}-registry.log`);
  let htpasswdPath: string | undefined;
  if (options.auth === 'basic') {
    htpasswdPath = join(workDir, `${name}.htpasswd`);
    writeFileSync(htpasswdPath, `${htpasswdLine(options.credentials ?? TEST_CREDENTIALS)}\n`);
  }

  // Another process may take the port between our probe and the registry's bind: retry then.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    writeFileSync(configPath, stringify(registryConfig(options, port, htpasswdPath)));
    // The registry writes straight into the files (no pipe through us), so a log line is on
    // disk as soon as the registry has written it.
    const stdout = openSync(accessLogPath, 'a');
    const stderr = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', stdout, stderr], env: registryEnvironment() });
    } finally {
      closeSync(stdout);
      closeSync(stderr);
    }
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const url = `http://127.0.0.1:${port}`;
    const outcome = await Promise.race([waitUntilReady(url, child, options.readyTimeoutMs ?? 15_000), spawnError]).catch(
      async (error: unknown) => {
        await stopChild(child);
        throw new RegistryStartError(`${error instanceof Error ? error.message : String(error)}\n--- tail of the ${name} registry log ---\n${tail(logPath)}`, {
          cause: error,
        });
      },
    );
    if (outcome instanceof Error) {
      throw new RegistryStartError(`cannot run ${REGISTRY_BINARY} (${outcome.message}); is the docker-registry package installed?`, {
        cause: outcome,
      });
    }
    if (outcome === 'exited') {
      const log = tail(logPath);
      if (/address already in use/i.test(log) && attempt < 5) continue;
      throw new RegistryStartError(`registry "${name}" exited during start (code ${child.exitCode})\n--- tail of the ${name} registry log ---\n${log}`);
    }

    const running = child;
    // If the test runner dies without teardown, take the registry with it instead of leaking it.
    const killOnExit = () => running.kill('SIGKILL');
    process.once('exit', killOnExit);
    return {
      name,
      auth: options.auth,
      host: `127.0.0.1:${port}`,
      url,
      accessLogPath,
      logPath,
      configPath,
      pid: running.pid ?? -1,
      stop: async () => {
        process.off('exit', killOnExit);
        await stopChild(running);
        if (ownWorkDir) rmSync(workDir, { recursive: true, force: true });
      },
    };
  }
}
