import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCredentialHelperKeychain,
  parseCredentialHelperSettings,
  type CredentialHelperKeychainOptions,
} from './credential-helper-keychain.js';
import { CredentialsError } from './errors.js';

const SECRET = 's3cr3t-pa55word';
let dir: string;
let env: NodeJS.ProcessEnv;

/** Writes an executable docker-credential-<name> shell script into the test's PATH directory. */
async function helper(name: string, body: string): Promise<void> {
  const path = join(dir, `docker-credential-${name}`);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
}

/** The server URLs a helper was asked about, one per run (the scripts log their stdin). */
async function asked(name: string): Promise<string[]> {
  const text = await readFile(join(dir, `${name}.log`), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

function keychain(options: Partial<CredentialHelperKeychainOptions>) {
  return createCredentialHelperKeychain({ credHelpers: new Map(), source: 'docker config test.json', env, ...options });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-helpers-'));
  env = { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
  // Answers for registry.example.com and Docker Hub, "not found" (as real helpers do) for others.
  await helper(
    'good',
    `url=$(cat)
echo "$url" >> "${dir}/good.log"
case "$url" in
  registry.example.com) echo '{"ServerURL":"registry.example.com","Username":"alice","Secret":"${SECRET}"}' ;;
  https://index.docker.io/v1/) echo '{"ServerURL":"https://index.docker.io/v1/","Username":"<token>","Secret":"refresh-token"}' ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac`,
  );
  await helper('broken', `cat > /dev/null\necho "cannot unlock keyring for ${SECRET}" >&2\necho "oops ${SECRET}"\nexit 3`);
  await helper('garbage', `cat > /dev/null\necho "Username=alice Secret=${SECRET}"`);
  await helper('slow', `cat > /dev/null\nexec sleep 5`);
  await helper('chatty', `cat > /dev/null\nhead -c 200000 /dev/zero | tr '\\0' 'x'`);
  await helper('empty', `cat > /dev/null\necho '{"ServerURL":"x","Username":"","Secret":""}'`);
  await writeFile(join(dir, 'docker-credential-noexec'), '#!/bin/sh\necho hi\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('parseCredentialHelperSettings', () => {
  it('reads credsStore and credHelpers with normalized, exact host keys', () => {
    const settings = parseCredentialHelperSettings({
      auths: {},
      credsStore: 'desktop',
      credHelpers: { 'https://index.docker.io/v1/': 'hub', 'Registry.Example.com:5000': 'ecr-login', 'gcr.io': '' },
    });
    expect(settings.credsStore).toBe('desktop');
    expect([...settings.credHelpers]).toEqual([
      ['docker.io', 'hub'],
      ['registry.example.com:5000', 'ecr-login'],
      ['gcr.io', ''],
    ]);
  });

  it('treats an empty credsStore as none', () => {
    expect(parseCredentialHelperSettings({ credsStore: '' }).credsStore).toBeUndefined();
  });

  it.each([
    ['a credsStore that is not a string', { credsStore: 7 }, /"credsStore" is not a string/],
    ['credHelpers that are not an object', { credHelpers: ['x'] }, /"credHelpers" is not an object/],
    ['a helper name with a path', { credsStore: '../../tmp/evil' }, /not a credential helper name/],
    ['a helper name with a space', { credHelpers: { 'ghcr.io': 'a b' } }, /credHelpers\["ghcr.io"\].*not a credential helper name/],
    ['a key that is not a host', { credHelpers: { 'ftp://x': 'pass' } }, /the key is not a registry host/],
  ])('refuses %s', (_, config, message) => {
    const error = (() => {
      try {
        parseCredentialHelperSettings(config, 'docker config c.json');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).code).toBe('INVALID_DOCKER_CONFIG');
    expect((error as Error).message).toMatch(/^docker config c\.json: /);
    expect((error as Error).message).toMatch(message);
  });
});

describe('credential helper keychain', () => {
  it('runs docker-credential-<credsStore> get with the host on stdin and returns its credential', async () => {
    const chain = keychain({ credsStore: 'good' });
    await expect(chain.resolve('registry.example.com')).resolves.toEqual({ username: 'alice', password: SECRET });
    expect(await asked('good')).toContain('registry.example.com');
  });

  it('asks about Docker Hub as https://index.docker.io/v1/ and reads <token> as an identity token', async () => {
    const chain = keychain({ credsStore: 'good' });
    await expect(chain.resolve('docker.io')).resolves.toEqual({ identityToken: 'refresh-token' });
    expect(await asked('good')).toContain('https://index.docker.io/v1/');
  });

  it('takes "credentials not found in native keychain" as no credential', async () => {
    await expect(keychain({ credsStore: 'good' }).resolve('other.example.com')).resolves.toBeUndefined();
  });

  it('takes an empty secret as no credential', async () => {
    await expect(keychain({ credsStore: 'empty' }).resolve('registry.example.com')).resolves.toBeUndefined();
  });

  it('prefers credHelpers[host] over credsStore, for exactly that host', async () => {
    const chain = keychain({ credsStore: 'broken', credHelpers: new Map([['registry.example.com', 'good']]) });
    expect(chain.helperFor('registry.example.com')).toBe('good');
    expect(chain.helperFor('REGISTRY.example.com.')).toBe('good');
    // Look-alikes and other ports are other registries: they get credsStore.
    expect(chain.helperFor('registry.example.com:5000')).toBe('broken');
    expect(chain.helperFor('registry.example.com.evil.io')).toBe('broken');
    await expect(chain.resolve('registry.example.com')).resolves.toMatchObject({ username: 'alice' });
  });

  it('has no helper for a host whose credHelpers entry is "" (it opts out of credsStore) or when none is configured', async () => {
    const chain = keychain({ credsStore: 'broken', credHelpers: new Map([['registry.example.com', '']]) });
    expect(chain.helperFor('registry.example.com')).toBeUndefined();
    await expect(chain.resolve('registry.example.com')).resolves.toBeUndefined();
    const none = keychain({ credHelpers: new Map([['ghcr.io', 'good']]) });
    expect(none.helperFor('registry.example.com')).toBeUndefined();
    await expect(none.resolve('registry.example.com')).resolves.toBeUndefined();
    expect(none.helperFor('not a host')).toBeUndefined();
  });

  it('runs a helper once per host for concurrent and later lookups, and hands out copies', async () => {
    await rm(join(dir, 'good.log'), { force: true });
    const chain = keychain({ credsStore: 'good' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => chain.resolve('registry.example.com')));
    expect(new Set(answers.map((a) => a?.password))).toEqual(new Set([SECRET]));
    answers[0]!.password = 'changed';
    await expect(chain.resolve('registry.example.com')).resolves.toMatchObject({ password: SECRET });
    await chain.resolve('other.example.com');
    await chain.resolve('other.example.com');
    expect(await asked('good')).toEqual(['registry.example.com', 'other.example.com']);
  });

  it('fails with a typed error naming helper and host, never the secret the helper printed', async () => {
    const error = await keychain({ credsStore: 'broken' })
      .resolve('registry.example.com')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).code).toBe('CREDENTIAL_HELPER_FAILED');
    const message = (error as Error).message;
    expect(message).toContain('docker config test.json');
    expect(message).toContain('docker-credential-broken (credsStore)');
    expect(message).toContain('registry registry.example.com');
    expect(message).toContain('exit code 3');
    expect(message).not.toContain(SECRET);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(SECRET);
  });

  it('remembers a failure instead of starting the helper again', async () => {
    const chain = keychain({ credHelpers: new Map([['registry.example.com', 'broken']]) });
    const first = await chain.resolve('registry.example.com').catch((e: unknown) => e);
    const second = await chain.resolve('registry.example.com').catch((e: unknown) => e);
    expect(second).toBe(first);
    expect((first as Error).message).toContain('(credHelpers)');
  });

  it.each([
    ['missing', /docker-credential-missing was not found on PATH/],
    ['noexec', /cannot be executed \(permission denied\)/],
    ['garbage', /its answer is not JSON/],
    ['chatty', /wrote more than 65536 bytes/],
  ])('fails clearly when the helper is %s', async (name, message) => {
    const error = await keychain({ credsStore: name })
      .resolve('registry.example.com')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toContain(`docker-credential-${name}`);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('kills a helper that does not answer in time', async () => {
    const started = Date.now();
    const error = await keychain({ credsStore: 'slow', timeoutMs: 300 })
      .resolve('registry.example.com')
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as Error).message).toMatch(/docker-credential-slow .*no answer within 300 ms/);
  });
});
