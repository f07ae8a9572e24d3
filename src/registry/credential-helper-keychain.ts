import { execFile } from 'node:child_process';
import { invalid, isRecord } from './docker-config-keychain.js';
import { CredentialsError } from './errors.js';
import type { Credential, Keychain } from './keychain.js';
import { DOCKER_HUB_REGISTRY, normalizeRegistryHost } from './registry-host.js';

/**
 * Docker credential helpers (`credsStore`, `credHelpers` of a docker config), run the way the
 * Docker CLI runs them (docker/cli `configfile.GetCredentialsStore`, docker-credential-helpers
 * `client.Get`):
 * - `credHelpers[host]` names the helper for exactly that registry host; otherwise `credsStore`
 *   is the helper for every host. `credHelpers[host] = ""` takes a host away from credsStore.
 * - The program `docker-credential-<name>` is looked up on PATH and run with the argument `get`
 *   (no shell); the server URL is written to its stdin: the registry host, or
 *   `https://index.docker.io/v1/` for Docker Hub, the key `docker login` uses.
 * - It answers `{"ServerURL","Username","Secret"}` JSON; Username `<token>` means Secret is an
 *   identity token (an OAuth2 refresh token), not a password.
 * - A non-zero exit whose stdout is "credentials not found in native keychain" means no
 *   credential, not an error; anything else is a CredentialsError naming the helper and host.
 *
 * Unlike Docker, hosts are matched after normalization ("https://index.docker.io/v1/" and
 * "docker.io" are one key) and only exactly: a helper for "example.com" is never asked about
 * "example.com:5000".
 */

/** The helper configuration of one docker config file. */
export interface CredentialHelperSettings {
  /** `credsStore`: the helper for every registry that has no entry of its own in credHelpers. */
  credsStore?: string;
  /** `credHelpers` by normalized host; "" means "no helper" (the file's auths answer). */
  credHelpers: ReadonlyMap<string, string>;
}

export interface CredentialHelperKeychainOptions extends CredentialHelperSettings {
  /** Names the configuration in error messages ("docker config /home/me/.docker/config.json"). */
  source?: string;
  /** Environment of the helpers (their PATH finds them); default: this process's. */
  env?: NodeJS.ProcessEnv;
  /** A helper that has not answered by then is killed and the lookup fails. */
  timeoutMs?: number;
  /** Cap on a helper's output (stdout and stderr each): a credential is a few KiB at most. */
  maxOutputBytes?: number;
}

export interface CredentialHelperKeychain extends Keychain {
  /**
   * The helper (name without the `docker-credential-` prefix) that answers for `registry`, or
   * undefined when none does. Docker asks only the helper for such a host, never the file's auths.
   */
  helperFor(registry: string): string | undefined;
}

export const CREDENTIAL_HELPER_PREFIX = 'docker-credential-';
/** What every docker-credential-helpers program prints (on stdout) for an unknown server. */
export const CREDENTIALS_NOT_FOUND_MESSAGE = 'credentials not found in native keychain';
/** The server URL `docker login` stores Docker Hub credentials under. */
export const DOCKER_HUB_SERVER_URL = 'https://index.docker.io/v1/';
/** Docker CLI marks an identity token by this username. */
const TOKEN_USERNAME = '<token>';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
// A suffix with a path separator would run a program outside PATH ("../../tmp/x"): refuse it.
const HELPER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Reads `credsStore` and `credHelpers` from a parsed docker config. Throws CredentialsError
 * (INVALID_DOCKER_CONFIG) for wrong types, keys that are not registry hosts and helper names that
 * are not plain program suffixes.
 */
export function parseCredentialHelperSettings(config: unknown, source = 'docker config'): CredentialHelperSettings {
  if (!isRecord(config)) throw invalid(source, 'is not a JSON object');
  const settings: { credsStore?: string; credHelpers: Map<string, string> } = { credHelpers: new Map() };

  const store = config['credsStore'];
  if (store !== undefined && store !== null) {
    if (typeof store !== 'string') throw invalid(source, '"credsStore" is not a string');
    // Docker treats an empty credsStore as none.
    if (store !== '') settings.credsStore = checkHelperName(store, source, 'credsStore');
  }

  const helpers = config['credHelpers'];
  if (helpers !== undefined && helpers !== null) {
    if (!isRecord(helpers)) throw invalid(source, '"credHelpers" is not an object');
    for (const [key, name] of Object.entries(helpers)) {
      const at = `credHelpers[${key.includes('@') ? '<key with user info>' : JSON.stringify(key)}]`;
      let host: string;
      try {
        host = normalizeRegistryHost(key);
      } catch (error) {
        throw invalid(source, `${at}: the key is not a registry host`, error);
      }
      if (typeof name !== 'string') throw invalid(source, `${at} is not a string`);
      const helper = name === '' ? '' : checkHelperName(name, source, at);
      // Several spellings of one host ("docker.io", "https://index.docker.io/v1/"): the first wins.
      if (!settings.credHelpers.has(host)) settings.credHelpers.set(host, helper);
    }
  }
  return settings;
}

/** A keychain that runs the configured helpers, each at most once per host for its lifetime. */
export function createCredentialHelperKeychain(options: CredentialHelperKeychainOptions): CredentialHelperKeychain {
  const source = options.source ?? 'docker config';
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutputBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const credHelpers = new Map(options.credHelpers);
  const credsStore = options.credsStore;
  // Promises, not values: concurrent lookups of one host share one helper run, and a failure is
  // remembered too, so a broken helper is not started again for every image of a run.
  const answers = new Map<string, Promise<Credential | undefined>>();

  function helperFor(registry: string): string | undefined {
    let host: string;
    try {
      host = normalizeRegistryHost(registry);
    } catch {
      return undefined;
    }
    const own = credHelpers.get(host);
    if (own !== undefined) return own === '' ? undefined : own;
    return credsStore;
  }

  return {
    helperFor,
    async resolve(registry) {
      const helper = helperFor(registry);
      if (helper === undefined) return undefined;
      const host = normalizeRegistryHost(registry);
      let answer = answers.get(host);
      if (answer === undefined) {
        const where = credHelpers.has(host) ? 'credHelpers' : 'credsStore';
        answer = askHelper({ helper, where, host, source, env: options.env ?? process.env, timeoutMs, maxOutputBytes });
        answers.set(host, answer);
      }
      const credential = await answer;
      // A copy: callers must not be able to change what later lookups return.
      return credential === undefined ? undefined : { ...credential };
    },
  };
}

interface HelperCall {
  helper: string;
  where: 'credHelpers' | 'credsStore';
  host: string;
  source: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  maxOutputBytes: number;
}

function askHelper(call: HelperCall): Promise<Credential | undefined> {
  const program = `${CREDENTIAL_HELPER_PREFIX}${call.helper}`;
  const serverUrl = call.host === DOCKER_HUB_REGISTRY ? DOCKER_HUB_SERVER_URL : call.host;
  const fail = (reason: string, cause?: unknown) =>
    new CredentialsError({
      code: 'CREDENTIAL_HELPER_FAILED',
      source: call.source,
      // Never the helper's output: on failure it may echo what it was handling.
      message: `${call.source}: credential helper ${program} (${call.where}) for registry ${call.host}: ${reason}`,
      ...(cause === undefined ? {} : { cause }),
    });

  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };

    const child = execFile(
      program,
      ['get'],
      { env: call.env, encoding: 'utf8', maxBuffer: call.maxOutputBytes, windowsHide: true },
      (error, stdout) => {
        settle(() => {
          if (error === null) {
            const answer = parseAnswer(stdout);
            if ('problem' in answer) reject(fail(answer.problem));
            else resolve(answer.credential);
            return;
          }
          const code = (error as { code?: unknown }).code;
          if (code === 'ENOENT') {
            reject(fail(`${program} was not found on PATH; install it or remove "${call.where}" from the docker config`, error));
          } else if (code === 'EACCES') {
            reject(fail(`${program} cannot be executed (permission denied)`, error));
          } else if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
            reject(fail(`it wrote more than ${call.maxOutputBytes} bytes`));
          } else if (typeof code === 'number') {
            if (stdout.trim() === CREDENTIALS_NOT_FOUND_MESSAGE) resolve(undefined);
            else reject(fail(`it failed (exit code ${code}); run \`echo ${serverUrl} | ${program} get\` to see why`));
          } else if (error.signal) {
            reject(fail(`it was killed by ${error.signal}`));
          } else {
            // A spawn failure other than the above: its message names the program, nothing secret.
            reject(fail(`it could not be started (${typeof code === 'string' ? code : 'error'})`, error));
          }
        });
      },
    );

    // Our own timer rather than execFile's `timeout`: execFile reports only once the output pipes
    // close, which a grandchild the helper left running can keep open indefinitely.
    const timer = setTimeout(() => {
      settle(() => {
        child.kill('SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
        reject(fail(`no answer within ${call.timeoutMs} ms`));
      });
    }, call.timeoutMs);

    // A helper that exits without reading stdin makes the write fail with EPIPE: its exit code tells.
    child.stdin?.on('error', () => {});
    // Docker writes the server URL without a newline.
    child.stdin?.end(serverUrl);
  });
}

const ANSWER_SHAPE = '{"ServerURL", "Username", "Secret"} expected';

/** The credential in a helper's answer, or what is wrong with it (never quoting it). */
function parseAnswer(stdout: string): { credential: Credential | undefined } | { problem: string } {
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch {
    return { problem: `its answer is not JSON (${ANSWER_SHAPE})` };
  }
  if (!isRecord(answer)) return { problem: `its answer is not a JSON object (${ANSWER_SHAPE})` };
  const username = answer['Username'] ?? '';
  const secret = answer['Secret'] ?? '';
  if (typeof username !== 'string' || typeof secret !== 'string') {
    return { problem: `its answer has a Username or Secret that is not a string (${ANSWER_SHAPE})` };
  }
  // An empty secret is what Docker would send as no credential at all.
  if (secret === '') return { credential: undefined };
  if (username === TOKEN_USERNAME) return { credential: { identityToken: secret } };
  return { credential: username === '' ? { password: secret } : { username, password: secret } };
}

function checkHelperName(name: string, source: string, at: string): string {
  if (!HELPER_NAME.test(name)) {
    throw invalid(
      source,
      `${at}: ${JSON.stringify(name.slice(0, 100))} is not a credential helper name (the part after "${CREDENTIAL_HELPER_PREFIX}": letters, digits, ".", "_", "-")`,
    );
  }
  return name;
}
