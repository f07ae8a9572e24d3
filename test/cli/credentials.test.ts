import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage } from '../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { runCli } from './run-cli.js';

// The CLI reads an image from the real Basic-auth registry with the credentials a developer
// already has: --registry-auth-file, $DOCKER_CONFIG/config.json, and docker credential helpers.
const { anonymous, basic } = inject('registries');
const insecure = ['--insecure-registry', basic.host, '--insecure-registry', anonymous.host];

let dir: string;
let bin: string;
let basicImage: string;
let anonymousImage: string;
let digest: string;

const auth = (username: string, password: string) => ({ auth: Buffer.from(`${username}:${password}`).toString('base64') });

/** A docker config directory (what DOCKER_CONFIG names) holding `config`. */
async function dockerConfig(name: string, config: unknown): Promise<string> {
  const configDir = join(dir, name);
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
  return configDir;
}

/** The environment of the spawned CLI: the test's helpers first on PATH. */
function env(dockerConfigDir: string): NodeJS.ProcessEnv {
  return { DOCKER_CONFIG: dockerConfigDir, PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}` };
}

/** Which server URLs the test helper was asked about (it logs its stdin, one line per run). */
async function helperLog(): Promise<string[]> {
  const text = await readFile(join(dir, 'helper.log'), 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

async function executable(path: string, script: string): Promise<void> {
  await writeFile(path, script);
  await chmod(path, 0o755);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-cli-credentials-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  // Like a real docker-credential-* program: JSON for the server it knows, the standard
  // "not found" message (exit 1) for any other.
  await executable(
    join(bin, 'docker-credential-test'),
    `#!/bin/sh
url=$(cat)
echo "$url" >> "${join(dir, 'helper.log')}"
if [ "$url" = "${basic.host}" ]; then
  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}\\n' "$url" '${basic.username}' '${basic.password}'
else
  echo "credentials not found in native keychain"
  exit 1
fi
`,
  );
  // A broken helper that even prints the secret it holds on its way out: it must not reach the user.
  await executable(
    join(bin, 'docker-credential-broken'),
    `#!/bin/sh
cat > /dev/null
echo "keyring locked; cached secret was ${basic.password}"
echo "keyring locked; cached secret was ${basic.password}" >&2
exit 4
`,
  );

  const repository = uniqueRepository('cli-creds');
  // Non-root and small: the default policy allows it, so a successful read exits 0.
  digest = await pushTo(anonymous, repository, 'v1', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'creds' }] }));
  basicImage = `${basic.host}/${repository}:v1`;
  anonymousImage = `${anonymous.host}/${repository}:v1`;
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('slimguard check with registry credentials', () => {
  it('needs credentials for the basic registry (exit 2 without any)', async () => {
    const run = await runCli(['check', ...insecure, basicImage], { env: env(join(dir, 'no-docker-config')) });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`ERROR ${basicImage}:`);
    expect(run.stdout).toMatch(/requires authentication/);
  });

  it('reads the image with --registry-auth-file', async () => {
    const authFile = join(dir, 'auth.json');
    await writeFile(authFile, JSON.stringify({ auths: { [basic.host]: auth(basic.username, basic.password) } }));
    const run = await runCli(['check', ...insecure, '--registry-auth-file', authFile, '--output', 'json', basicImage], {
      env: env(join(dir, 'no-docker-config')),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).results[0]).toMatchObject({ image: basicImage, digest, decision: 'allow' });
  });

  it('exits 2 with the path when --registry-auth-file does not exist', async () => {
    const missing = join(dir, 'missing-auth.json');
    const run = await runCli(['check', ...insecure, '--registry-auth-file', missing, basicImage], { env: env(join(dir, 'no-docker-config')) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${missing}: cannot be read`);
  });

  it('reads the image with auths from $DOCKER_CONFIG/config.json', async () => {
    const configDir = await dockerConfig('plain', { auths: { [basic.host]: auth(basic.username, basic.password) } });
    const run = await runCli(['check', ...insecure, basicImage], { env: env(configDir) });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ALLOW /m);
  });

  it('runs the credHelpers helper for its host, over a stale auths entry, as docker does', async () => {
    await rm(join(dir, 'helper.log'), { force: true });
    const configDir = await dockerConfig('cred-helpers', {
      auths: { [basic.host]: auth(basic.username, 'stale-password') },
      credHelpers: { [basic.host]: 'test' },
    });
    const run = await runCli(['check', ...insecure, '--output', 'json', basicImage, `${basicImage.replace(':v1', '')}@${digest}`], {
      env: env(configDir),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).results.map((r: { digest: string }) => r.digest)).toEqual([digest, digest]);
    // Asked with the registry host on stdin, once for the whole run; never about the anonymous registry.
    expect(await helperLog()).toEqual([basic.host]);
  });

  it('runs the credsStore helper for every registry; "not found" means anonymous', async () => {
    await rm(join(dir, 'helper.log'), { force: true });
    const configDir = await dockerConfig('creds-store', { auths: { [basic.host]: {} }, credsStore: 'test' });
    const run = await runCli(['check', ...insecure, basicImage, anonymousImage], { env: env(configDir) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2 images: 2 allowed, 0 warned, 0 denied, 0 errors/);
    expect((await helperLog()).sort()).toEqual([anonymous.host, basic.host].sort());
  });

  it('asks --registry-auth-file before the docker config, whose helper is then not run', async () => {
    await rm(join(dir, 'helper.log'), { force: true });
    const authFile = join(dir, 'auth-first.json');
    await writeFile(authFile, JSON.stringify({ auths: { [basic.host]: auth(basic.username, basic.password) } }));
    const configDir = await dockerConfig('broken-store', { credHelpers: { [basic.host]: 'broken' } });
    const run = await runCli(['check', ...insecure, '--registry-auth-file', authFile, basicImage], { env: env(configDir) });
    expect(run.code).toBe(0);
  });

  it('exits 2 naming the helper and the host, never the secret, when a helper fails', async () => {
    const configDir = await dockerConfig('broken', { credHelpers: { [basic.host]: 'broken' } });
    const run = await runCli(['check', ...insecure, '--output', 'json', basicImage, anonymousImage], { env: env(configDir) });
    expect(run.code).toBe(2);
    const [failed, other] = JSON.parse(run.stdout).results as { image: string; decision: string; error?: { code: string; message: string } }[];
    expect(failed).toMatchObject({ image: basicImage, decision: 'error', error: { code: 'CREDENTIAL_HELPER_FAILED' } });
    expect(failed!.error!.message).toContain('docker-credential-broken');
    expect(failed!.error!.message).toContain(`registry ${basic.host}`);
    expect(failed!.error!.message).toContain(join(configDir, 'config.json'));
    // Other registries are unaffected: credHelpers names a helper for one host only.
    expect(other).toMatchObject({ image: anonymousImage, decision: 'allow' });
    expect(run.stdout).not.toContain(basic.password);
    expect(run.stderr).not.toContain(basic.password);
  });

  it('exits 2 with a clear message when the configured helper is not installed', async () => {
    const configDir = await dockerConfig('missing-helper', { credsStore: 'not-installed' });
    const run = await runCli(['check', ...insecure, basicImage], { env: env(configDir) });
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`ERROR ${basicImage}:`);
    expect(run.stdout).toContain('docker-credential-not-installed was not found on PATH');
  });
});
