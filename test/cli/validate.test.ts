// `slimguard validate` end to end: the built CLI, manifests as kubectl writes them, images in the
// harness's real registry.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage, buildIndex } from '../harness/oci-image-builder.js';
import { countRequests, pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { runCli } from './run-cli.js';

const { anonymous } = inject('registries');
const insecure = ['--insecure-registry', anonymous.host];
let dir: string;
let repository: string;
let rootImage: string;
let slimImage: string;
let multiArchImage: string;
let enforcePolicy: string;

/** `kubectl create ... --dry-run=client -o yaml`: the manifests users really write. */
function kubectlYaml(args: string[]): string {
  return execFileSync('kubectl', ['create', ...args, '--dry-run=client', '-o', 'yaml'], { encoding: 'utf8' });
}

function kubectlJson(args: string[]): Record<string, any> {
  return JSON.parse(execFileSync('kubectl', ['create', ...args, '--dry-run=client', '-o', 'json'], { encoding: 'utf8' })) as Record<string, any>;
}

interface JsonReport {
  results: Record<string, any>[];
  skipped: Record<string, any>[];
  errors: Record<string, any>[];
  summary: Record<string, number>;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-validate-'));
  repository = uniqueRepository('validate');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'validate-root' }] }));
  await pushTo(anonymous, repository, 'slim', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'validate-slim' }] }));
  // root on amd64, non-root on arm64: which one is judged shows which platform was chosen.
  await pushTo(
    anonymous,
    repository,
    'multi',
    buildIndex({
      images: [
        buildImage({ user: '', platform: { os: 'linux', architecture: 'amd64' }, layers: [{ sizeBytes: 100, seed: 'multi-amd64' }] }),
        buildImage({ user: '65532', platform: { os: 'linux', architecture: 'arm64' }, layers: [{ sizeBytes: 100, seed: 'multi-arm64' }] }),
      ],
    }),
  );
  rootImage = `${anonymous.host}/${repository}:root`;
  slimImage = `${anonymous.host}/${repository}:slim`;
  multiArchImage = `${anonymous.host}/${repository}:multi`;
  enforcePolicy = join(dir, 'enforce.yaml');
  await writeFile(enforcePolicy, 'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: strict}\nspec:\n  mode: enforce\n');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('slimguard validate', () => {
  it('judges every workload of a multi-document file, skips and counts the other kinds, exits 0 under the warn default', async () => {
    const file = join(dir, 'app.yaml');
    await writeFile(
      file,
      [
        kubectlYaml(['deployment', 'web', `--image=${rootImage}`]),
        kubectlYaml(['service', 'clusterip', 'web', '--tcp=80:8080']),
        kubectlYaml(['job', 'migrate', `--image=${slimImage}`]),
        kubectlYaml(['configmap', 'settings', '--from-literal=a=b']),
        kubectlYaml(['cronjob', 'report', `--image=${rootImage}`, '--schedule=*/5 * * * *']),
        kubectlYaml(['configmap', 'more']),
      ].join('---\n'),
    );
    const run = await runCli(['validate', ...insecure, '-f', file]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(new RegExp(`^WARN Deployment default/web container "[^"]+" \\(${escape(rootImage)}\\) at ${escape(file)}:\\d+$`));
    expect(lines[1]).toMatch(/^ {2}warn: \[runAsRoot\] /);
    expect(run.stdout).toMatch(new RegExp(`^ALLOW Job default/migrate container "migrate" \\(${escape(slimImage)}\\)`, 'm'));
    expect(run.stdout).toMatch(/^WARN CronJob default\/report container "report"/m);
    expect(lines.at(-1)).toBe('3 workloads, 3 containers: 1 allowed, 2 warned, 0 denied, 0 errors; 3 objects skipped (Service, ConfigMap x2)');
  });

  it('exits 1 under an enforce policy, with the JSON contract and the line of each image', async () => {
    const file = join(dir, 'enforce.json');
    const deployment = kubectlJson(['deployment', 'web', `--image=${rootImage}`, '--namespace=team-a']);
    const text = JSON.stringify(deployment, null, 2);
    await writeFile(file, text);
    const run = await runCli(['validate', ...insecure, '--policy', enforcePolicy, '--output', 'json', '-f', file]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.results).toHaveLength(1);
    const [result] = report.results as [Record<string, any>];
    expect(result).toMatchObject({
      file,
      line: text.split('\n').findIndex((line) => line.includes('"image"')) + 1,
      workload: { kind: 'Deployment', namespace: 'team-a', name: 'web' },
      container: { type: 'container', fieldPath: 'spec.template.spec.containers[0]' },
      image: rootImage,
      platform: 'linux/amd64',
      decision: 'deny',
      facts: { user: '', compressedSizeBytes: expect.any(Number) },
    });
    expect(result.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(result.violations[0]).toMatchObject({ rule: 'runAsRoot', mode: 'enforce', message: expect.stringMatching(/^\[runAsRoot\] /) });
    expect(report).toMatchObject({ skipped: [], errors: [], summary: { workloads: 1, containers: 1, denied: 1 } });
  });

  it('reads a directory recursively in sorted order, and stdin', async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'base'), { recursive: true });
    await writeFile(join(tree, 'z-job.yml'), kubectlYaml(['job', 'zeta', `--image=${slimImage}`]));
    await writeFile(join(tree, 'base', 'deployment.yaml'), kubectlYaml(['deployment', 'alpha', `--image=${slimImage}`]));
    await writeFile(join(tree, 'notes.txt'), 'not a manifest');
    const fromDir = await runCli(['validate', ...insecure, '-f', tree]);
    expect(fromDir.code).toBe(0);
    const verdicts = fromDir.stdout.split('\n').filter((line) => line.startsWith('ALLOW'));
    expect(verdicts).toEqual([
      expect.stringContaining(`Deployment default/alpha container "${repository.split('/').at(-1)}" (${slimImage}) at ${join(tree, 'base', 'deployment.yaml')}:`),
      expect.stringContaining(`Job default/zeta container "zeta" (${slimImage}) at ${join(tree, 'z-job.yml')}:`),
    ]);

    const fromStdin = await runCli(['validate', ...insecure, '--namespace', 'ci', '-f', '-'], { input: kubectlYaml(['deployment', 'piped', `--image=${rootImage}`]) });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toMatch(/^WARN Deployment ci\/piped container .* at <stdin>:\d+$/m);
  });

  it('expands kind: List', async () => {
    const file = join(dir, 'list.json');
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [kubectlJson(['deployment', 'one', `--image=${slimImage}`]), kubectlJson(['configmap', 'c']), kubectlJson(['job', 'two', `--image=${rootImage}`])],
    };
    await writeFile(file, JSON.stringify(list, null, 2));
    const run = await runCli(['validate', ...insecure, '--output', 'json', '-f', file]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.results.map((r) => [r.workload.kind, r.workload.name, r.decision])).toEqual([
      ['Deployment', 'one', 'allow'],
      ['Job', 'two', 'warn'],
    ]);
    expect(report.skipped).toMatchObject([{ kind: 'ConfigMap', name: 'c', reason: 'unsupportedKind' }]);
  });

  it('exits 2 for bad YAML, naming file, line and column, and still judges the other files', async () => {
    const bad = join(dir, 'broken', 'bad.yaml');
    await mkdir(join(dir, 'broken'), { recursive: true });
    await writeFile(bad, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: "web\n');
    const good = join(dir, 'broken', 'good.yaml');
    await writeFile(good, kubectlYaml(['deployment', 'fine', `--image=${slimImage}`]));
    const run = await runCli(['validate', ...insecure, '-f', join(dir, 'broken')]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`^ERROR ${escape(bad)}:\\d+:\\d+: Missing closing "quote`, 'm'));
    expect(run.stdout).toMatch(/^ALLOW Deployment default\/fine /m);
    expect(run.stdout).toMatch(/1 workload, 1 container: 1 allowed, 0 warned, 0 denied, 1 error;/);
  });

  it('exits 2 naming the image when its registry is unreachable', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const image = `127.0.0.1:${port}/app:v1`;
    const run = await runCli(['validate', '--insecure-registry', `127.0.0.1:${port}`, '-f', '-'], { input: kubectlYaml(['deployment', 'web', `--image=${image}`]) });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(new RegExp(`^ERROR Deployment default/web container "app" at <stdin>:\\d+: ${escape(image)}: .*(cannot reach|ECONNREFUSED)`, 'm'));
  });

  it('exits 2 for a container without an image, naming file, line and field', async () => {
    const deployment = kubectlJson(['deployment', 'web', `--image=${slimImage}`]);
    deployment.spec.template.spec.containers.push({ name: 'sidecar' });
    const run = await runCli(['validate', ...insecure, '-f', '-'], { input: JSON.stringify(deployment, null, 2) });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^ERROR <stdin>:\d+: Deployment default\/web spec\.template\.spec\.containers\[1\] \(container "sidecar"\): no image set$/m);
  });

  it('turns a denial into a warning with --namespace-labels slimguard.io/mode=warn, as the namespace label does in the cluster', async () => {
    const input = kubectlYaml(['deployment', 'web', `--image=${rootImage}`]);
    const enforced = await runCli(['validate', ...insecure, '--policy', enforcePolicy, '-f', '-'], { input });
    expect(enforced.code).toBe(1);
    expect(enforced.stdout).toMatch(/^DENY Deployment default\/web /m);
    const relaxed = await runCli(['validate', ...insecure, '--policy', enforcePolicy, '--namespace-labels', 'team=a,slimguard.io/mode=warn', '-f', '-'], { input });
    expect(relaxed.code).toBe(0);
    expect(relaxed.stdout).toMatch(/^WARN Deployment default\/web /m);
    expect(relaxed.stdout).toMatch(/^ {2}warn: \[runAsRoot\] /m);
  });

  it('rejects a malformed --namespace-labels with exit 2', async () => {
    const run = await runCli(['validate', '--namespace-labels', 'novalue', '-f', '-']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('key=value');
  });

  it("judges the platform of the pod's nodeSelector in a multi-platform image, like the webhook", async () => {
    const pinned = kubectlJson(['deployment', 'arm', `--image=${multiArchImage}`]);
    pinned.spec.template.spec.nodeSelector = { 'kubernetes.io/arch': 'arm64' };
    const unpinned = kubectlJson(['deployment', 'any', `--image=${multiArchImage}`]);
    const run = await runCli(['validate', ...insecure, '--output', 'json', '-f', '-'], { input: [pinned, unpinned].map((o) => JSON.stringify(o)).join('\n---\n') });
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.results.map((r) => [r.workload.name, r.platform, r.decision])).toEqual([
      ['arm', 'linux/arm64', 'allow'],
      ['any', 'linux/amd64', 'warn'],
    ]);
    const forced = await runCli(['validate', ...insecure, '--platform', 'linux/arm64', '--output', 'json', '-f', '-'], { input: JSON.stringify(unpinned) });
    expect((JSON.parse(forced.stdout) as JsonReport).results[0]).toMatchObject({ platform: 'linux/arm64', decision: 'allow' });
  });

  it('fetches an image used by 5 workloads once: a manifest and a config, 2 registry requests', async () => {
    const shared = uniqueRepository('validate-shared');
    await pushTo(anonymous, shared, 'v1', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'shared' }] }));
    const image = `${anonymous.host}/${shared}:v1`;
    const manifests = [
      kubectlYaml(['deployment', 'a', `--image=${image}`]),
      kubectlYaml(['deployment', 'b', `--image=${image}`, '--replicas=3']),
      kubectlYaml(['job', 'c', `--image=${image}`]),
      kubectlYaml(['cronjob', 'd', `--image=${image}`, '--schedule=0 * * * *']),
      kubectlYaml(['deployment', 'e', `--image=${image}`]),
    ].join('---\n');
    const { result: run, requests } = await countRequests(anonymous, shared, () =>
      runCli(['validate', ...insecure, '--concurrency', '5', '-f', '-'], { input: manifests }),
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/5 workloads, 5 containers: 0 allowed, 5 warned/);
    expect(requests.map((r) => `${r.method} ${r.path.replace(/sha256:[0-9a-f]+/, 'DIGEST')}`).sort()).toEqual([
      `GET /v2/${shared}/blobs/DIGEST`,
      `GET /v2/${shared}/manifests/v1`,
    ]);
  });

  it('reads nothing from a registry when the namespace label switches slimguard off', async () => {
    const { result: run, requests } = await countRequests(anonymous, repository, () =>
      runCli(['validate', ...insecure, '--policy', enforcePolicy, '--namespace-labels', 'slimguard.io/mode=off', '-f', '-'], {
        input: kubectlYaml(['deployment', 'web', `--image=${rootImage}`]),
      }),
    );
    expect(run.code).toBe(0);
    expect(requests).toEqual([]);
    expect(run.stdout).toContain('0 workloads, 0 containers: 0 allowed, 0 warned, 0 denied, 0 errors; 1 object skipped (Deployment)');
  });

  it('exits 2 when a path does not exist', async () => {
    const missing = join(dir, 'missing.yaml');
    const run = await runCli(['validate', '-f', missing]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`ERROR ${missing}: no such file or directory`);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
