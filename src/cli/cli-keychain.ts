import { readFile } from 'node:fs/promises';
import { createCredentialHelperKeychain, parseCredentialHelperSettings } from '../registry/credential-helper-keychain.js';
import { createDockerConfigKeychain, dockerConfigPath } from '../registry/docker-config-keychain.js';
import { CredentialsError } from '../registry/errors.js';
import type { Keychain } from '../registry/keychain.js';
import { createMultiKeychain } from '../registry/multi-keychain.js';

/**
 * The registry credentials of the CLI: the ones a developer or a CI job already has for docker.
 *
 * Order, first credential wins:
 * 1. `--registry-auth-file FILE`, a docker config JSON given on purpose (a missing file is an error);
 * 2. the docker config docker itself reads: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`
 *    (no file: anonymous).
 * Within one file, a registry is answered the way the Docker CLI answers it
 * (docker/cli `configfile.GetCredentialsStore`): if `credHelpers[host]` or else `credsStore` names a
 * helper, that helper alone answers (its "not found" means no credential; the file's `auths` entry
 * for the host is not consulted, as docker does not consult it); otherwise the `auths` entry does.
 */
export interface CliKeychainOptions {
  /** `--registry-auth-file`: asked before the docker config. */
  registryAuthFile?: string;
  /** For DOCKER_CONFIG and HOME, and the environment the credential helpers run in. */
  env?: NodeJS.ProcessEnv;
  /** How long a credential helper may take to answer. */
  helperTimeoutMs?: number;
}

export async function createCliKeychain(options: CliKeychainOptions = {}): Promise<Keychain> {
  const env = options.env ?? process.env;
  const files = [
    ...(options.registryAuthFile === undefined ? [] : [{ path: options.registryAuthFile, required: true }]),
    { path: dockerConfigPath(env), required: false },
  ];
  const keychains: Keychain[] = [];
  for (const file of files) {
    const config = await readDockerConfig(file.path, file.required);
    if (config === undefined) continue;
    keychains.push(createDockerCliConfigKeychain({ config, source: `docker config ${file.path}`, env, helperTimeoutMs: options.helperTimeoutMs }));
  }
  return createMultiKeychain(keychains);
}

export interface DockerCliConfigKeychainOptions {
  /** The parsed docker config. */
  config: unknown;
  source: string;
  env?: NodeJS.ProcessEnv;
  helperTimeoutMs?: number;
}

/** One docker config with its `auths`, `credHelpers` and `credsStore`, as the Docker CLI reads it. */
export function createDockerCliConfigKeychain(options: DockerCliConfigKeychainOptions): Keychain {
  // Both parse the same object: auths by the existing docker config keychain, helpers by theirs.
  const auths = createDockerConfigKeychain({ config: options.config, source: options.source });
  const helpers = createCredentialHelperKeychain({
    ...parseCredentialHelperSettings(options.config, options.source),
    source: options.source,
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.helperTimeoutMs === undefined ? {} : { timeoutMs: options.helperTimeoutMs }),
  });
  return {
    resolve: (registry) => (helpers.helperFor(registry) !== undefined ? helpers.resolve(registry) : auths.resolve(registry)),
  };
}

async function readDockerConfig(path: string, required: boolean): Promise<unknown> {
  const source = `docker config ${path}`;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new CredentialsError({
      code: 'UNREADABLE_DOCKER_CONFIG',
      source,
      message: `${source}: cannot be read (${code === 'ENOENT' ? 'no such file' : (code ?? 'error')})`,
      cause: error,
    });
  }
  // Docker accepts an empty config file as one without credentials.
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // No cause: V8's SyntaxError quotes the text around the error, which may be a password.
    throw new CredentialsError({ code: 'INVALID_DOCKER_CONFIG', source, message: `${source}: is not valid JSON` });
  }
}
