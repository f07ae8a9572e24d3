import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialsError } from '../registry/errors.js';
import { createCliKeychain } from './cli-keychain.js';

let dir: string;
let bin: string;

const basic = (username: string, password: string) => ({ auth: Buffer.from(`${username}:${password}`).toString('base64') });

async function dockerConfigDir(name: string, config: unknown): Promise<string> {
  const configDir = join(dir, name);
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
  return configDir;
}

async function file(name: string, content: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content);
  return path;
}

function envWith(dockerConfig: string): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_CONFIG: dockerConfig, PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-cli-keychain-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  const script = join(bin, 'docker-credential-store');
  await writeFile(
    script,
    `#!/bin/sh
url=$(cat)
case "$url" in
  helped.example.com) echo '{"ServerURL":"helped.example.com","Username":"from-helper","Secret":"h"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`,
  );
  await chmod(script, 0o755);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('createCliKeychain', () => {
  it('reads auths from $DOCKER_CONFIG/config.json', async () => {
    const configDir = await dockerConfigDir('plain', { auths: { 'registry.example.com': basic('dev', 'pw') } });
    const keychain = await createCliKeychain({ env: envWith(configDir) });
    await expect(keychain.resolve('registry.example.com')).resolves.toEqual({ username: 'dev', password: 'pw' });
    await expect(keychain.resolve('registry.example.com:5000')).resolves.toBeUndefined();
  });

  it('falls back to ~/.docker/config.json when DOCKER_CONFIG is not set', async () => {
    const home = join(dir, 'home');
    await mkdir(join(home, '.docker'), { recursive: true });
    await writeFile(join(home, '.docker', 'config.json'), JSON.stringify({ auths: { 'ghcr.io': basic('me', 'x') } }));
    const keychain = await createCliKeychain({ env: { HOME: home } });
    await expect(keychain.resolve('ghcr.io')).resolves.toEqual({ username: 'me', password: 'x' });
  });

  it('asks --registry-auth-file first, then the docker config', async () => {
    const configDir = await dockerConfigDir('second', {
      auths: { 'registry.example.com': basic('docker', 'd'), 'other.example.com': basic('docker', 'o') },
    });
    const authFile = await file('auth-first.json', JSON.stringify({ auths: { 'registry.example.com': basic('file', 'f') } }));
    const keychain = await createCliKeychain({ registryAuthFile: authFile, env: envWith(configDir) });
    await expect(keychain.resolve('registry.example.com')).resolves.toEqual({ username: 'file', password: 'f' });
    await expect(keychain.resolve('other.example.com')).resolves.toEqual({ username: 'docker', password: 'o' });
  });

  it('lets credHelpers answer for their host instead of auths, and auths for the others (as docker does)', async () => {
    const configDir = await dockerConfigDir('helpers', {
      auths: { 'helped.example.com': basic('stale', 's'), 'plain.example.com': basic('plain', 'p') },
      credHelpers: { 'helped.example.com': 'store' },
    });
    const keychain = await createCliKeychain({ env: envWith(configDir) });
    await expect(keychain.resolve('helped.example.com')).resolves.toEqual({ username: 'from-helper', password: 'h' });
    await expect(keychain.resolve('plain.example.com')).resolves.toEqual({ username: 'plain', password: 'p' });
  });

  it('lets credsStore answer for every host, ignoring auths like docker does; credHelpers "" opts a host out', async () => {
    const configDir = await dockerConfigDir('store', {
      auths: { 'plain.example.com': basic('plain', 'p'), 'optout.example.com': basic('opt', 'o') },
      credsStore: 'store',
      credHelpers: { 'optout.example.com': '' },
    });
    const keychain = await createCliKeychain({ env: envWith(configDir) });
    await expect(keychain.resolve('helped.example.com')).resolves.toMatchObject({ username: 'from-helper' });
    // The helper does not know it: with a credsStore, docker would not read auths either.
    await expect(keychain.resolve('plain.example.com')).resolves.toBeUndefined();
    await expect(keychain.resolve('optout.example.com')).resolves.toEqual({ username: 'opt', password: 'o' });
  });

  it('is anonymous without any docker config', async () => {
    const keychain = await createCliKeychain({ env: { DOCKER_CONFIG: join(dir, 'nothing-here') } });
    await expect(keychain.resolve('docker.io')).resolves.toBeUndefined();
  });

  it('accepts an empty docker config file, as docker does', async () => {
    const configDir = join(dir, 'empty');
    await mkdir(configDir);
    await writeFile(join(configDir, 'config.json'), '\n');
    const keychain = await createCliKeychain({ env: { DOCKER_CONFIG: configDir } });
    await expect(keychain.resolve('docker.io')).resolves.toBeUndefined();
  });

  it('fails when --registry-auth-file does not exist (a typo must not silently mean anonymous)', async () => {
    const missing = join(dir, 'no-such-auth.json');
    const error = await createCliKeychain({ registryAuthFile: missing, env: { DOCKER_CONFIG: join(dir, 'nothing-here') } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).code).toBe('UNREADABLE_DOCKER_CONFIG');
    expect((error as Error).message).toBe(`docker config ${missing}: cannot be read (no such file)`);
  });

  it('fails on invalid JSON without quoting the file', async () => {
    const bad = await file('bad.json', '{"auths": {"x": {"auth": "c2VjcmV0OnB3"}} oops');
    const error = await createCliKeychain({ registryAuthFile: bad, env: { DOCKER_CONFIG: join(dir, 'nothing-here') } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toBe(`docker config ${bad}: is not valid JSON`);
    expect((error as Error).cause).toBeUndefined();
  });

  it('fails on an invalid helper configuration, naming the file', async () => {
    const configDir = await dockerConfigDir('bad-helper', { credsStore: '/usr/bin/evil' });
    const error = await createCliKeychain({ env: { DOCKER_CONFIG: configDir } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toContain(join(configDir, 'config.json'));
    expect((error as Error).message).toContain('not a credential helper name');
  });
});
