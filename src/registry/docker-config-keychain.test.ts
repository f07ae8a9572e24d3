import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDockerConfigKeychain,
  createPullSecretKeychain,
  dockerConfigPath,
  loadDockerConfigKeychain,
  type PullSecret,
} from './docker-config-keychain.js';
import { CredentialsError } from './errors.js';
import { anonymousKeychain } from './keychain.js';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const SECRET = 'hunter2:with:colons';

describe('createDockerConfigKeychain credentials', () => {
  const keychain = createDockerConfigKeychain({
    source: 'test config',
    config: {
      auths: {
        'https://index.docker.io/v1/': { auth: b64(`hubuser:${SECRET}`) },
        'registry.example.com': { username: 'alice', password: 'pw-registry' },
        'registry.example.com:5000': { auth: b64('bob:pw-5000') },
        'https://other.example.com/v2/': { auth: b64('carol:pw-other'), username: 'ignored', password: 'ignored' },
        example: { auth: b64('dave:pw-example') },
        'token.example.com': { identitytoken: 'refresh-token' },
        'bearer.example.com': { registrytoken: 'bearer-token' },
        'user-only.example.com': { auth: b64('onlyuser:') },
        '[::1]:5000': { auth: b64('v6:pw-v6') },
        'empty.example.com': {},
        'nulls.example.com': { auth: null, username: null },
      },
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud' },
    },
  });

  it.each([
    // Docker Hub under every name
    ['docker.io', { username: 'hubuser', password: SECRET }],
    ['index.docker.io', { username: 'hubuser', password: SECRET }],
    ['registry-1.docker.io', { username: 'hubuser', password: SECRET }],
    ['https://index.docker.io/v1/', { username: 'hubuser', password: SECRET }],
    // exact hosts; the port is part of the identity
    ['registry.example.com', { username: 'alice', password: 'pw-registry' }],
    ['Registry.Example.COM.', { username: 'alice', password: 'pw-registry' }],
    ['registry.example.com:5000', { username: 'bob', password: 'pw-5000' }],
    ['registry.example.com:5001', undefined],
    ['registry.example.com:443', undefined],
    // keys with scheme and path; auth overrides username/password
    ['other.example.com', { username: 'carol', password: 'pw-other' }],
    // no prefix, suffix or wildcard matching
    ['example', { username: 'dave', password: 'pw-example' }],
    ['evil.com.example', undefined],
    ['example.evil.com', undefined],
    ['registry.example.com.evil.io', undefined],
    ['evilregistry.example.com', undefined],
    ['sub.registry.example.com', undefined],
    ['example.com', undefined],
    // tokens
    ['token.example.com', { identityToken: 'refresh-token' }],
    ['bearer.example.com', { registryToken: 'bearer-token' }],
    ['user-only.example.com', { username: 'onlyuser' }],
    ['[0::1]:5000', { username: 'v6', password: 'pw-v6' }],
    // empty entries and helper-only hosts have no credential here
    ['empty.example.com', undefined],
    ['nulls.example.com', undefined],
    ['gcr.io', undefined],
    // registries that are not hosts at all
    ['not a host', undefined],
    ['', undefined],
  ])('%s', async (registry, expected) => {
    expect(await keychain.resolve(registry)).toEqual(expected);
  });

  it('hands out copies', async () => {
    const first = await keychain.resolve('registry.example.com');
    if (first) first.password = 'changed';
    expect((await keychain.resolve('registry.example.com'))?.password).toBe('pw-registry');
  });

  it('accepts JSON text', async () => {
    const text = JSON.stringify({ auths: { 'ghcr.io': { auth: b64('u:p') } } });
    expect(await createDockerConfigKeychain({ config: text }).resolve('ghcr.io')).toEqual({ username: 'u', password: 'p' });
  });

  it('lets the first credential for a host win, and empty entries never shadow', async () => {
    const chain = createDockerConfigKeychain({
      config: {
        auths: {
          'https://index.docker.io/v1/': {},
          'docker.io': { auth: b64('second:pw2') },
          'index.docker.io': { auth: b64('third:pw3') },
        },
      },
    });
    expect(await chain.resolve('docker.io')).toEqual({ username: 'second', password: 'pw2' });
  });

  it.each([
    ['no auths', {}],
    ['null auths', { auths: null }],
    ['only helpers', { credsStore: 'osxkeychain', credHelpers: { 'ghcr.io': 'gh' } }],
    ['helpers of the wrong type', { credsStore: 7, credHelpers: 'x' }],
  ])('tolerates a config with %s', async (_name, config) => {
    expect(await createDockerConfigKeychain({ config }).resolve('ghcr.io')).toBeUndefined();
  });
});

describe('createDockerConfigKeychain malformed input', () => {
  const cases: [string, unknown, RegExp][] = [
    ['invalid JSON text', `{"auths": {"x": {"auth": "${SECRET}"`, /^my config: is not valid JSON$/],
    ['JSON array', '[]', /is not a JSON object/],
    ['JSON string', '"x"', /is not a JSON object/],
    ['auths array', { auths: [] }, /"auths" is not an object/],
    ['auths string', { auths: SECRET }, /"auths" is not an object/],
    ['entry not an object', { auths: { 'ghcr.io': SECRET } }, /auths\["ghcr.io"\] is not an object/],
    ['auth not base64', { auths: { 'ghcr.io': { auth: `${SECRET}!` } } }, /auths\["ghcr.io"\]\.auth is not valid base64/],
    ['auth is plain user:pass', { auths: { 'ghcr.io': { auth: 'user:hunter2' } } }, /auths\["ghcr.io"\]\.auth is not valid base64/],
    ['auth without a colon', { auths: { 'ghcr.io': { auth: b64('hunter2') } } }, /auths\["ghcr.io"\]\.auth is not base64 of "username:password"/],
    ['auth not UTF-8', { auths: { 'ghcr.io': { auth: Buffer.from([0xff, 0x3a, 0xfe]).toString('base64') } } }, /does not decode to UTF-8/],
    ['auth a number', { auths: { 'ghcr.io': { auth: 12345 } } }, /auths\["ghcr.io"\]\.auth is not a string/],
    ['password an object', { auths: { 'ghcr.io': { username: 'u', password: { value: SECRET } } } }, /\.password is not a string/],
    ['identitytoken a number', { auths: { 'ghcr.io': { identitytoken: 1 } } }, /\.identitytoken is not a string/],
    ['key not a host', { auths: { 'not a host': { auth: b64('u:p') } } }, /auths\["not a host"\]: the key is not a registry host/],
    ['key with user info', { auths: { 'https://user:hunter2@ghcr.io': { auth: b64('u:p') } } }, /auths\[<key with user info>\]: the key is not a registry host/],
  ];

  it.each(cases)('%s', (_name, config, message) => {
    let caught: unknown;
    try {
      createDockerConfigKeychain({ config, source: 'my config' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CredentialsError);
    const error = caught as CredentialsError;
    expect(error.code).toBe('INVALID_DOCKER_CONFIG');
    expect(error.source).toBe('my config');
    expect(error.message).toMatch(/^my config: /);
    expect(error.message).toMatch(message);
    // Neither the message nor anything it carries may hold the secret.
    const everything = `${error.message} ${String((error.cause as Error | undefined)?.message)} ${JSON.stringify(error)}`;
    expect(everything).not.toContain('hunter2');
  });
});

describe('createPullSecretKeychain', () => {
  const configJson = (auths: Record<string, unknown>): string => b64(JSON.stringify({ auths }));

  it('reads dockerconfigjson and legacy dockercfg secrets, first secret first', async () => {
    const secrets: PullSecret[] = [
      { name: 'ns/other-type', type: 'Opaque', data: { '.dockerconfigjson': configJson({ 'ghcr.io': { auth: b64('opaque:no') } }) } },
      { name: 'ns/missing-key', type: 'kubernetes.io/dockerconfigjson', data: {} },
      { name: 'ns/no-data', type: 'kubernetes.io/dockercfg' },
      { name: 'ns/json', type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': configJson({ 'ghcr.io': { auth: b64('json:pw1') } }) } },
      {
        name: 'ns/legacy',
        type: 'kubernetes.io/dockercfg',
        data: { '.dockercfg': b64(JSON.stringify({ 'https://index.docker.io/v1/': { auth: b64('legacy:pw2') }, 'ghcr.io': { auth: b64('legacy:no') } })) },
      },
    ];
    const keychain = createPullSecretKeychain(secrets);
    expect(await keychain.resolve('ghcr.io')).toEqual({ username: 'json', password: 'pw1' });
    expect(await keychain.resolve('docker.io')).toEqual({ username: 'legacy', password: 'pw2' });
    expect(await keychain.resolve('quay.io')).toBeUndefined();
  });

  it('is anonymous without secrets', async () => {
    expect(await createPullSecretKeychain([]).resolve('ghcr.io')).toBeUndefined();
  });

  it.each([
    ['data not base64', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': '%%%' } }, /pull secret ns\/bad: \.dockerconfigjson is not valid base64/],
    ['data not JSON', { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64(`{${SECRET}`) } }, /pull secret ns\/bad: is not valid JSON/],
    ['legacy not an object', { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('[1]') } }, /\.dockercfg is not a JSON object/],
    ['legacy entry bad', { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64(JSON.stringify({ 'ghcr.io': { auth: SECRET } })) } }, /\.dockercfg\["ghcr.io"\]\.auth is not valid base64/],
  ])('names the secret when %s', (_name, secret, message) => {
    let caught: unknown;
    try {
      createPullSecretKeychain([{ ...secret, name: 'ns/bad' }]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CredentialsError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain('hunter2');
  });

  it('numbers unnamed secrets in messages', () => {
    expect(() =>
      createPullSecretKeychain([
        { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': b64('{}') } },
        { type: 'kubernetes.io/dockercfg', data: { '.dockercfg': 'not base64!' } },
      ]),
    ).toThrow(/^pull secret #2: /);
  });
});

describe('loadDockerConfigKeychain', () => {
  let dir: string;
  const config = JSON.stringify({ auths: { 'ghcr.io': { auth: b64('file:pw') } } });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slimguard-docker-config-'));
    await mkdir(join(dir, 'docker-config'));
    await writeFile(join(dir, 'docker-config', 'config.json'), config);
    await mkdir(join(dir, 'home', '.docker'), { recursive: true });
    await writeFile(join(dir, 'home', '.docker', 'config.json'), JSON.stringify({ auths: { 'ghcr.io': { auth: b64('home:pw') } } }));
    await writeFile(join(dir, 'broken.json'), `{"auths": {"ghcr.io": {"auth": "${SECRET}"`);
    await mkdir(join(dir, 'a-directory.json'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads $DOCKER_CONFIG/config.json before ~/.docker/config.json', async () => {
    const env = { DOCKER_CONFIG: join(dir, 'docker-config'), HOME: join(dir, 'home') };
    expect(dockerConfigPath(env)).toBe(join(dir, 'docker-config', 'config.json'));
    expect(await (await loadDockerConfigKeychain({ env })).resolve('ghcr.io')).toEqual({ username: 'file', password: 'pw' });
  });

  it('falls back to $HOME/.docker/config.json', async () => {
    const env = { HOME: join(dir, 'home') };
    expect(await (await loadDockerConfigKeychain({ env })).resolve('ghcr.io')).toEqual({ username: 'home', password: 'pw' });
  });

  it('reads an explicit path', async () => {
    const keychain = await loadDockerConfigKeychain({ path: join(dir, 'docker-config', 'config.json'), env: {} });
    expect(await keychain.resolve('ghcr.io')).toEqual({ username: 'file', password: 'pw' });
  });

  it('is anonymous when the file does not exist', async () => {
    expect(await loadDockerConfigKeychain({ env: { DOCKER_CONFIG: join(dir, 'nowhere') } })).toBe(anonymousKeychain);
  });

  it('fails on an invalid file, naming it and not the secret', async () => {
    const path = join(dir, 'broken.json');
    const error = await loadDockerConfigKeychain({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).code).toBe('INVALID_DOCKER_CONFIG');
    expect((error as Error).message).toBe(`docker config ${path}: is not valid JSON`);
    expect((error as Error).cause).toBeUndefined();
  });

  it('fails on an unreadable file', async () => {
    const path = join(dir, 'a-directory.json');
    const error = await loadDockerConfigKeychain({ path }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsError);
    expect((error as CredentialsError).code).toBe('UNREADABLE_DOCKER_CONFIG');
    expect((error as Error).message).toBe(`docker config ${path}: cannot be read (EISDIR)`);
  });
});
