// slimguard's own image must pass slimguard's default policy. No Docker engine runs here, so the
// image is made by the test harness from what the Dockerfile's final stage puts in the config
// (USER, LABELs, ENTRYPOINT, history) and judged by the built CLI (`slimguard check oci:`) with
// the embedded default policy. Layer sizes: the expected sizes of docs/container-image.md.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cluster/harness/tool-paths.js';
import { buildImage, writeOciLayout, type BuildImageOptions } from '../harness/oci-image-builder.js';
import { runCli } from '../cli/run-cli.js';
import { parseFinalStage, type FinalStage } from './dockerfile.js';

const MiB = 1024 * 1024;
// Expected compressed layers (docs/container-image.md): the distroless base (cc-debian12 + the
// Node 24 runtime) and the three COPY layers of the final stage.
const BASE_LAYERS = [9 * MiB, 38 * MiB];
const APP_LAYERS = [1_000, 13 * MiB, 330_000];

let dir: string;
let stage: FinalStage;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-dockerfile-'));
  stage = parseFinalStage(await readFile(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function imageOf(final: FinalStage): BuildImageOptions {
  return {
    user: final.user,
    labels: final.labels,
    env: [...final.env, 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'],
    entrypoint: final.entrypoint,
    cmd: final.cmd,
    workingDir: final.workingDir,
    extraConfig: { ExposedPorts: Object.fromEntries(final.exposedPorts.map((port) => [port, {}])) },
    // distroless is assembled by rules_oci: its layers carry no Dockerfile history.
    history: [...BASE_LAYERS.map(() => ({ created_by: '', comment: 'distroless' })), ...final.history],
    // The budget reads the layer descriptors' sizes: uncompressed layers of the expected compressed
    // sizes say the same and spare the test gzipping 60 MB of random bytes.
    layers: [...BASE_LAYERS, ...APP_LAYERS].map((sizeBytes, i) => ({ sizeBytes, seed: `slimguard-image-${i}`, compression: 'none' as const })),
  };
}

async function checkDefaultPolicy(options: BuildImageOptions, name: string) {
  const layout = join(dir, name);
  await writeOciLayout(layout, { [name]: buildImage(options) });
  const run = await runCli(['check', '--output', 'json', `oci:${layout}:${name}`]);
  expect(run.stderr).toBe('');
  return { code: run.code, result: (JSON.parse(run.stdout) as { results: Record<string, any>[] }).results[0]! };
}

describe("slimguard's own image (Dockerfile)", () => {
  it('builds on node:24 and ships distroless nodejs24 with a numeric non-root user and OCI labels', () => {
    expect(stage.stages).toEqual(['node:24', 'gcr.io/distroless/nodejs24-debian12:nonroot']);
    expect(stage.base).toBe('gcr.io/distroless/nodejs24-debian12:nonroot');
    expect(stage.user).toMatch(/^[1-9][0-9]*:[1-9][0-9]*$/);
    expect(stage.labels).toMatchObject({
      'org.opencontainers.image.base.name': 'gcr.io/distroless/nodejs24-debian12:nonroot',
      'org.opencontainers.image.source': expect.stringMatching(/^https:\/\//),
      'org.opencontainers.image.version': expect.any(String),
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    // The node flags between are the deployed V8 settings (test/chart/deployment.test.ts checks them).
    expect(stage.entrypoint![0]).toBe('/nodejs/bin/node');
    expect(stage.entrypoint!.at(-1)).toBe('/app/dist/cli/main.js');
    expect(stage.cmd).toEqual(['serve']);
  });

  it('passes the default policy: allow, no violation, within the size budget', { timeout: 60_000 }, async () => {
    const { code, result } = await checkDefaultPolicy(imageOf(stage), 'slimguard');
    expect(result.violations).toEqual([]);
    expect(result.decision).toBe('allow');
    expect(result.facts.user).toBe(stage.user);
    expect(result.facts.compressedSizeBytes).toBeLessThan(100 * MiB);
    expect(code).toBe(0);
  });

  it('would not pass without its USER line (the check can fail)', { timeout: 60_000 }, async () => {
    const { result } = await checkDefaultPolicy({ ...imageOf(stage), user: undefined }, 'rootful');
    expect(result.decision).toBe('warn');
    expect(result.violations.map((violation: { rule: string }) => violation.rule)).toEqual(['runAsRoot']);
  });
});
