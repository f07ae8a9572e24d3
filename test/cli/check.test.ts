import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, writeOciLayout } from '../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { runCli } from './run-cli.js';

const { anonymous } = inject('registries');
const insecure = ['--insecure-registry', anonymous.host];
let dir: string;
let rootImage: string;
let slimImage: string;
let slimDigest: string;

const ENFORCE_POLICY = `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata: {name: strict}
spec:
  mode: enforce
  rules:
    sizeBudget: {maxCompressedSize: 300Mi}
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-cli-'));
  const repository = uniqueRepository('cli');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'r' }] }));
  slimDigest = await pushTo(anonymous, repository, 'slim', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 's' }] }));
  rootImage = `${anonymous.host}/${repository}:root`;
  slimImage = `${anonymous.host}/${repository}:slim`;
  await writeFile(join(dir, 'enforce.yaml'), ENFORCE_POLICY);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('slimguard check', () => {
  it('warns about a root image under the default policy (warn mode) and exits 0', async () => {
    const run = await runCli(['check', ...insecure, rootImage, slimImage]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^WARN .*:root/m);
    expect(run.stdout).toMatch(/warn: \[runAsRoot\] /);
    expect(run.stdout).toMatch(/^ALLOW .*:slim/m);
    expect(run.stdout).toMatch(/2 images: 1 allowed, 1 warned, 0 denied, 0 errors/);
  });

  it('exits 1 when an enforce-mode rule fails, with the JSON contract', async () => {
    const run = await runCli(['check', ...insecure, '--policy', join(dir, 'enforce.yaml'), '--output', 'json', rootImage, slimImage]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { results: Record<string, unknown>[] };
    expect(report.results).toHaveLength(2);
    const [root, slim] = report.results as [Record<string, any>, Record<string, any>];
    expect(root).toMatchObject({ image: rootImage, decision: 'deny', platform: 'linux/amd64' });
    expect(root.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(root.facts).toMatchObject({ user: '', compressedSizeBytes: expect.any(Number) });
    expect(root.facts.buildBase).toMatchObject({ detected: false });
    expect(root.violations[0]).toMatchObject({ rule: 'runAsRoot', mode: 'enforce' });
    expect(root.violations[0].message).toMatch(/^\[runAsRoot\] /);
    expect(slim).toMatchObject({ image: slimImage, digest: slimDigest, decision: 'allow', violations: [] });
  });

  it('exits 2 naming the image when it does not exist', async () => {
    const missing = `${anonymous.host}/test/does-not-exist:v1`;
    const run = await runCli(['check', ...insecure, missing, slimImage]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`ERROR ${missing}:`);
    expect(run.stdout).toMatch(/^ALLOW .*:slim/m);
  });

  it('exits 2 naming the image for a bad reference', async () => {
    const run = await runCli(['check', '--output', 'json', 'library/Nginx:1.27']);
    expect(run.code).toBe(2);
    const report = JSON.parse(run.stdout) as { results: { image: string; error: { code: string; message: string } }[] };
    expect(report.results[0]).toMatchObject({ image: 'library/Nginx:1.27', error: { code: 'INVALID_REFERENCE' } });
    expect(report.results[0]!.error.message).toContain('library/Nginx:1.27');
  });

  it('exits 2 naming the image when the registry is unreachable', async () => {
    // A port that was free a moment ago: nothing listens there.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const image = `127.0.0.1:${port}/app:v1`;
    const run = await runCli(['check', '--insecure-registry', `127.0.0.1:${port}`, image]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`ERROR ${image}:`);
    expect(run.stdout).toMatch(/cannot reach|ECONNREFUSED/);
  });

  it('exits 2 with the path of the mistake for a bad policy file', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, ENFORCE_POLICY.replace('maxCompressedSize', 'maxCompresedSize'));
    const run = await runCli(['check', '--policy', bad, slimImage, ...insecure]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('spec.rules.sizeBudget.maxCompresedSize');
    expect(run.stderr).toContain('maxCompressedSize');
  });

  it('judges an OCI layout on disk', async () => {
    const layout = join(dir, 'layout');
    await writeOciLayout(layout, { app: buildImage({ user: '0', layers: [{ sizeBytes: 10, seed: 'o' }] }) });
    const run = await runCli(['check', '--policy', join(dir, 'enforce.yaml'), `oci:${layout}:app`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^DENY oci:.*:app/m);
  });
});
