import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError } from './errors.js';
import { anonymousKeychain, type Credential, type Keychain } from './keychain.js';
import { createMultiKeychain } from './multi-keychain.js';
import { normalizeRegistryHost } from './registry-host.js';

/**
 * Keychains from Docker config JSON (`~/.docker/config.json`) and Kubernetes image pull secrets.
 *
 * Matching is by exact normalized host[:port] only. kubelet also does glob and path-prefix
 * matching, but for a webhook that reads images on behalf of any Pod, a credential must never
 * leak to a look-alike host: "example.com.evil.io" gets nothing of "example.com", and
 * "registry.example.com:5000" nothing of "registry.example.com".
 *
 * Credential helpers (`credsStore`, `credHelpers`) are not run here: credential-helper-keychain.ts
 * runs them, and src/cli/cli-keychain.ts composes both in the Docker CLI's order.
 */

export interface DockerConfigKeychainOptions {
  /** The parsed config, or its JSON text. */
  config: unknown;
  /** Names the config in error messages: a file path, "pull secret ns/name". */
  source?: string;
}

export function createDockerConfigKeychain(options: DockerConfigKeychainOptions): Keychain {
  const source = options.source ?? 'docker config';
  const config = typeof options.config === 'string' ? parseJson(options.config, source) : options.config;
  if (!isRecord(config)) throw invalid(source, 'is not a JSON object');
  const auths = config['auths'];
  if (auths === undefined || auths === null) return keychainFromMap(new Map());
  if (!isRecord(auths)) throw invalid(source, '"auths" is not an object');
  return keychainFromMap(parseAuths(auths, source, 'auths'));
}

export interface PullSecret {
  type: string;
  /** Secret data as the Kubernetes API returns it: base64-encoded values. */
  data?: Record<string, string> | undefined;
  /** "namespace/name", for messages. */
  name?: string;
}

const DOCKER_CONFIG_JSON_TYPE = 'kubernetes.io/dockerconfigjson';
const DOCKER_CFG_TYPE = 'kubernetes.io/dockercfg';

/**
 * A keychain from image pull secrets, first secret first. Like kubelet, secrets of other types,
 * or without their data key, are skipped; a secret whose content is malformed is an error.
 */
export function createPullSecretKeychain(secrets: readonly PullSecret[]): Keychain {
  const keychains: Keychain[] = [];
  secrets.forEach((secret, index) => {
    const source = `pull secret ${secret.name ?? `#${index + 1}`}`;
    if (secret.type === DOCKER_CONFIG_JSON_TYPE) {
      const encoded = secret.data?.['.dockerconfigjson'];
      if (encoded === undefined || encoded === '') return;
      const text = decodeBase64(encoded, source, '.dockerconfigjson');
      keychains.push(createDockerConfigKeychain({ config: text, source }));
    } else if (secret.type === DOCKER_CFG_TYPE) {
      const encoded = secret.data?.['.dockercfg'];
      if (encoded === undefined || encoded === '') return;
      // The legacy format is the "auths" map itself, without the wrapper.
      const legacy = parseJson(decodeBase64(encoded, source, '.dockercfg'), source);
      if (!isRecord(legacy)) throw invalid(source, '.dockercfg is not a JSON object');
      keychains.push(keychainFromMap(parseAuths(legacy, source, '.dockercfg')));
    }
  });
  return createMultiKeychain(keychains);
}

export interface LoadDockerConfigOptions {
  /** An explicit config file; otherwise $DOCKER_CONFIG/config.json, then ~/.docker/config.json. */
  path?: string;
  env?: NodeJS.ProcessEnv;
}

/** Reads the Docker config file; no file means anonymous, an unreadable or invalid one is an error. */
export async function loadDockerConfigKeychain(options: LoadDockerConfigOptions = {}): Promise<Keychain> {
  const env = options.env ?? process.env;
  const path = options.path ?? dockerConfigPath(env);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return anonymousKeychain;
    throw new CredentialsError({
      code: 'UNREADABLE_DOCKER_CONFIG',
      source: `docker config ${path}`,
      message: `docker config ${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      cause: error,
    });
  }
  return createDockerConfigKeychain({ config: text, source: `docker config ${path}` });
}

export function dockerConfigPath(env: NodeJS.ProcessEnv): string {
  const dir = env['DOCKER_CONFIG'];
  if (dir !== undefined && dir !== '') return join(dir, 'config.json');
  const home = env['HOME'] !== undefined && env['HOME'] !== '' ? env['HOME'] : homedir();
  return join(home, '.docker', 'config.json');
}

function keychainFromMap(credentials: ReadonlyMap<string, Credential>): Keychain {
  return {
    async resolve(registry) {
      let host: string;
      try {
        host = normalizeRegistryHost(registry);
      } catch {
        return undefined;
      }
      const credential = credentials.get(host);
      // A copy: callers must not be able to change what later lookups return.
      return credential === undefined ? undefined : { ...credential };
    },
  };
}

/**
 * Parses an auths map. Several keys can name one registry ("https://index.docker.io/v1/" and
 * "docker.io"); the first that holds a credential wins, and empty entries (what `docker login`
 * writes next to a credsStore) never shadow a later one.
 */
function parseAuths(auths: Record<string, unknown>, source: string, where: string): Map<string, Credential> {
  const credentials = new Map<string, Credential>();
  for (const [key, entry] of Object.entries(auths)) {
    // A key like "https://user:pass@host" carries a secret itself: never echo one with user info.
    const at = `${where}[${key.includes('@') ? '<key with user info>' : JSON.stringify(key)}]`;
    let host: string;
    try {
      host = normalizeRegistryHost(key);
    } catch (error) {
      throw invalid(source, `${at}: the key is not a registry host`, error);
    }
    if (!isRecord(entry)) throw invalid(source, `${at} is not an object`);
    const credential = parseEntry(entry, source, at);
    if (credential !== undefined && !credentials.has(host)) credentials.set(host, credential);
  }
  return credentials;
}

function parseEntry(entry: Record<string, unknown>, source: string, at: string): Credential | undefined {
  const field = (name: string): string | undefined => {
    const value = entry[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(source, `${at}.${name} is not a string`);
    return value === '' ? undefined : value;
  };
  const auth = field('auth');
  let username = field('username');
  let password = field('password');
  const identityToken = field('identitytoken');
  const registryToken = field('registrytoken');

  if (auth !== undefined) {
    // Docker decodes "auth" and lets it override username/password.
    const decoded = decodeBase64(auth, source, `${at}.auth`);
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalid(source, `${at}.auth is not base64 of "username:password"`);
    // Split at the first colon only: passwords (and tokens used as passwords) may contain ':'.
    username = decoded.slice(0, colon) || undefined;
    password = decoded.slice(colon + 1) || undefined;
  }

  const credential: Credential = {};
  if (username !== undefined) credential.username = username;
  if (password !== undefined) credential.password = password;
  if (identityToken !== undefined) credential.identityToken = identityToken;
  if (registryToken !== undefined) credential.registryToken = registryToken;
  return Object.keys(credential).length > 0 ? credential : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Strict base64 (Buffer.from ignores junk and would hand out garbage credentials). */
function decodeBase64(text: string, source: string, at: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!BASE64.test(compact)) throw invalid(source, `${at} is not valid base64`);
  const bytes = Buffer.from(compact, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(source, `${at} does not decode to UTF-8 text`);
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // No cause: V8's SyntaxError quotes the text around the error, which may be a password.
    throw invalid(source, 'is not valid JSON');
  }
}

/** A docker config (or a part of it) that cannot be used; the message names the source, never a secret. */
export function invalid(source: string, reason: string, cause?: unknown): CredentialsError {
  return new CredentialsError({
    code: 'INVALID_DOCKER_CONFIG',
    source,
    message: `${source}: ${reason}`,
    ...(cause === undefined ? {} : { cause }),
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
