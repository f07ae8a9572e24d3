import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, buildIndex, writeOciLayout, type BuiltImage, type BuiltIndex } from '../harness/oci-image-builder.js';
import { countRequests, pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { runCli } from './run-cli.js';

const { anonymous } = inject('registries');
const insecure = ['--insecure-registry', anonymous.host];

const ENFORCE_POLICY = `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata: {name: strict}
spec:
  mode: enforce
  rules:
    sizeBudget: {maxCompressedSize: 300Mi}
`;

interface JsonResult {
  image: string;
  digest?: string;
  indexDigest?: string;
  platform?: string;
  decision: string;
  facts?: { user: string };
  violations?: { rule: string }[];
  error?: { code: string; message: string };
}

const results = (stdout: string) => (JSON.parse(stdout) as { results: JsonResult[] }).results;

let dir: string;
let policy: string[];
let repository: string;
let multi: string;
let single: string;
let amd64: BuiltImage;
let arm64: BuiltImage;
let index: BuiltIndex;
let indexDigest: string;
let singleDigest: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-cli-platforms-'));
  await writeFile(join(dir, 'enforce.yaml'), ENFORCE_POLICY);
  policy = ['--policy', join(dir, 'enforce.yaml')];
  repository = uniqueRepository('cli-platforms');
  // amd64 runs as root (denied under enforce), arm64 as a user (allowed); BuildKit attestations ride along.
  amd64 = buildImage({ user: '', platform: { os: 'linux', architecture: 'amd64' }, layers: [{ sizeBytes: 100, seed: 'pa' }] });
  arm64 = buildImage({ user: '1000', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ sizeBytes: 100, seed: 'pb' }] });
  index = buildIndex({ images: [amd64, arm64], attestations: true });
  indexDigest = await pushTo(anonymous, repository, 'multi', index);
  singleDigest = await pushTo(anonymous, repository, 'single', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'ps' }] }));
  multi = `${anonymous.host}/${repository}:multi`;
  single = `${anonymous.host}/${repository}:single`;
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('slimguard check --platform / --all-platforms', () => {
  it('judges the platform asked for: --platform linux/arm64 picks the non-root arm64 image', async () => {
    const run = await runCli(['check', ...insecure, ...policy, '--output', 'json', '--platform', 'linux/arm64', multi]);
    expect(run.code).toBe(0);
    expect(results(run.stdout)).toEqual([
      expect.objectContaining({ image: multi, digest: arm64.manifest.digest, indexDigest, platform: 'linux/arm64/v8', decision: 'allow' }),
    ]);
  });

  it('judges the policy default (linux/amd64) without --platform', async () => {
    const run = await runCli(['check', ...insecure, ...policy, '--output', 'json', multi]);
    expect(run.code).toBe(1);
    expect(results(run.stdout)).toEqual([
      expect.objectContaining({ digest: amd64.manifest.digest, platform: 'linux/amd64', decision: 'deny' }),
    ]);
  });

  it('gives one result per repeated --platform, in the order asked', async () => {
    const run = await runCli([
      'check', ...insecure, ...policy, '--output', 'json', '--platform', 'linux/amd64', '--platform', 'linux/arm64', multi,
    ]);
    expect(run.code).toBe(1);
    const [first, second, ...rest] = results(run.stdout);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({ image: multi, digest: amd64.manifest.digest, platform: 'linux/amd64', decision: 'deny' });
    expect(first!.violations!.map((v) => v.rule)).toContain('runAsRoot');
    expect(second).toMatchObject({ image: multi, digest: arm64.manifest.digest, platform: 'linux/arm64/v8', decision: 'allow' });
    expect(second!.facts).toMatchObject({ user: '1000' });
  });

  it('judges every platform of the index with --all-platforms, attestations excluded', async () => {
    const run = await runCli(['check', ...insecure, ...policy, '--output', 'json', '--all-platforms', multi]);
    expect(run.code).toBe(1);
    const all = results(run.stdout);
    expect(all.map((r) => [r.platform, r.digest, r.decision])).toEqual([
      ['linux/amd64', amd64.manifest.digest, 'deny'],
      ['linux/arm64/v8', arm64.manifest.digest, 'allow'],
    ]);
    const attestationDigests = index.attestations.map((a) => a.manifest.digest);
    expect(all.some((r) => attestationDigests.includes(r.digest!))).toBe(false);
    expect(all.every((r) => r.image === multi && r.indexDigest === indexDigest)).toBe(true);
  });

  it('judges what an index offers with --all-platforms even when it lacks the default platform', async () => {
    const repository = uniqueRepository('armonly');
    const arm64Only = buildImage({ user: '1', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ sizeBytes: 10, seed: 'ao1' }] });
    const armV7 = buildImage({ user: '0', platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, layers: [{ sizeBytes: 10, seed: 'ao2' }] });
    await pushTo(anonymous, repository, 'v1', buildIndex({ images: [arm64Only, armV7] }));
    const run = await runCli(['check', ...insecure, '--output', 'json', '--all-platforms', `${anonymous.host}/${repository}:v1`]);
    expect(run.code).toBe(0);
    expect(results(run.stdout).map((r) => [r.platform, r.digest])).toEqual([
      ['linux/arm64/v8', arm64Only.manifest.digest],
      ['linux/arm/v7', armV7.manifest.digest],
    ]);
  });

  it('reads each platform manifest and config once for --all-platforms, even when the image is named twice', async () => {
    const { result: run, requests } = await countRequests(anonymous, repository, () =>
      runCli(['check', ...insecure, '--output', 'json', '--all-platforms', multi, multi]),
    );
    expect(run.code).toBe(0);
    expect(results(run.stdout)).toHaveLength(4);
    const byDigest = requests.filter((r) => r.path.includes('/sha256:'));
    const paths = byDigest.map((r) => r.path);
    // Two manifests and two configs, each once; attestations are never read (no build base found).
    expect(paths).toHaveLength(4);
    expect(new Set(paths).size).toBe(4);
    expect(paths).toContain(`/v2/${repository}/manifests/${amd64.manifest.digest}`);
    expect(paths).toContain(`/v2/${repository}/manifests/${arm64.manifest.digest}`);
    expect(paths).toContain(`/v2/${repository}/blobs/${arm64.config.digest}`);
  });

  it('gives one result for a single-platform image with --all-platforms or several --platform', async () => {
    const all = await runCli(['check', ...insecure, '--output', 'json', '--all-platforms', single]);
    expect(all.code).toBe(0);
    expect(results(all.stdout)).toEqual([expect.objectContaining({ digest: singleDigest, platform: 'linux/amd64', decision: 'allow' })]);

    const two = await runCli(['check', ...insecure, '--output', 'json', '--platform', 'linux/amd64', '--platform', 'linux/arm64', single]);
    expect(two.code).toBe(0);
    expect(results(two.stdout).map((r) => r.digest)).toEqual([singleDigest]);
  });

  it('says which platform is missing, with exit 2 and the platform on the error result', async () => {
    const run = await runCli(['check', ...insecure, '--output', 'json', '--platform', 'linux/arm64', '--platform', 'linux/s390x', multi]);
    expect(run.code).toBe(2);
    const [arm, s390x] = results(run.stdout);
    expect(arm).toMatchObject({ platform: 'linux/arm64/v8', decision: 'allow' });
    expect(s390x).toMatchObject({ image: multi, platform: 'linux/s390x', decision: 'error', error: { code: 'PLATFORM_NOT_FOUND' } });
    expect(s390x!.error!.message).toMatch(new RegExp(`^${multi}: no linux/s390x image in this index \\(it has: linux/amd64, linux/arm64/v8\\)`));
  });

  it('prints one text line per platform and counts images and results apart', async () => {
    const run = await runCli(['check', ...insecure, ...policy, '--all-platforms', multi, single]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^DENY ${multi} \\(linux/amd64, ${amd64.manifest.digest}\\)$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^ALLOW ${multi} \\(linux/arm64/v8, ${arm64.manifest.digest}\\)$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^ALLOW ${single} \\(linux/amd64, `, 'm'));
    expect(run.stdout).toMatch(/^2 images, 3 results: 2 allowed, 0 warned, 1 denied, 0 errors$/m);
  });

  it('refuses --platform together with --all-platforms', async () => {
    const run = await runCli(['check', '--all-platforms', '--platform', 'linux/arm64', multi]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/'--all-platforms' cannot be used with option '--platform/);
  });

  it('judges every platform of an OCI layout index on disk', async () => {
    const layout = join(dir, 'layout');
    await writeOciLayout(layout, { app: index });
    const run = await runCli(['check', ...policy, '--output', 'json', '--all-platforms', `oci:${layout}:app`]);
    expect(run.code).toBe(1);
    expect(results(run.stdout).map((r) => [r.platform, r.decision])).toEqual([
      ['linux/amd64', 'deny'],
      ['linux/arm64/v8', 'allow'],
    ]);
  });
});

describe('slimguard check fetches each unique image once', () => {
  it('costs 2 registry requests for `check IMG IMG IMG`, and prints no progress when stderr is not a terminal', async () => {
    const repo = uniqueRepository('cli-dup');
    const digest = await pushTo(anonymous, repo, 'v1', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'dup' }] }));
    const image = `${anonymous.host}/${repo}:v1`;
    const { result: run, requests } = await countRequests(anonymous, repo, () =>
      runCli(['check', ...insecure, '--output', 'json', image, image, image]),
    );
    expect(run.code).toBe(0);
    expect(requests.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200', 'GET 200']);
    expect(results(run.stdout).map((r) => r.digest)).toEqual([digest, digest, digest]);
    expect(run.stderr).toBe('');
  });

  it('judges every image, in the order named, with --concurrency 2', async () => {
    const repo = uniqueRepository('cli-many');
    const images: string[] = [];
    for (let i = 0; i < 5; i++) {
      await pushTo(anonymous, repo, `v${i}`, buildImage({ user: '65532', layers: [{ sizeBytes: 50, seed: `many-${i}` }] }));
      images.push(`${anonymous.host}/${repo}:v${i}`);
    }
    const { result: run, requests } = await countRequests(anonymous, repo, () =>
      runCli(['check', ...insecure, '--concurrency', '2', '--output', 'json', ...images]),
    );
    expect(run.code).toBe(0);
    expect(results(run.stdout).map((r) => r.image)).toEqual(images);
    expect(requests).toHaveLength(10);
    expect(run.stderr).toBe('');
  });

  it('refuses a --concurrency that is not a positive integer', async () => {
    const run = await runCli(['check', '--concurrency', '0', single]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('expected a positive integer');
  });
});
