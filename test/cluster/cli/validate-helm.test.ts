// `helm template ... | slimguard validate -f -`: a chart rendered by the real helm (built by the
// cluster harness) piped into the built CLI, images in the harness's real registry.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildImage } from '../../harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../../image-facts/helpers.js';
import { CLI, type CliRun } from '../../cli/run-cli.js';
import { helmEnvironment } from '../harness/helm.js';

const { helmPath } = inject('controlPlane');
const { anonymous } = inject('registries');
let dir: string;
let chart: string;
let rootImage: string;
let slimImage: string;

/** Runs `helm template` with its stdout piped into `slimguard validate`, as a CI step would. */
function helmTemplateIntoValidate(helmArgs: string[], validateArgs: string[]): Promise<CliRun & { helmStderr: string }> {
  return new Promise((resolve, reject) => {
    const helm = spawn(helmPath, ['template', ...helmArgs], { env: helmEnvironment(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    const cli = spawn(process.execPath, [CLI, 'validate', ...validateArgs, '-f', '-'], {
      env: { ...process.env, DOCKER_CONFIG: '/nonexistent-docker-config' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    helm.stdout.pipe(cli.stdin);
    let helmStderr = '';
    let stdout = '';
    let stderr = '';
    helm.stderr.on('data', (chunk: Buffer) => (helmStderr += chunk.toString()));
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    helm.on('error', reject);
    cli.on('error', reject);
    cli.on('close', (code) => resolve({ code, stdout, stderr, helmStderr }));
  });
}

const CHART_YAML = `apiVersion: v2
name: shop
version: 0.1.0
`;

const VALUES_YAML = `image: nginx:1.27
workerImage: busybox:1.36
worker:
  enabled: true
`;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  namespace: {{ .Release.Namespace }}
  labels: {app: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: {{ .Values.image | quote }}
          ports: [{containerPort: 8080}]
`;

const WORKER = `{{- if .Values.worker.enabled }}
apiVersion: batch/v1
kind: CronJob
metadata:
  name: {{ .Release.Name }}-worker
spec:
  schedule: "*/10 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          initContainers:
            - name: wait
              image: {{ .Values.workerImage | quote }}
          containers:
            - name: worker
              image: {{ .Values.workerImage | quote }}
{{- end }}
`;

const CONFIGMAP = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-settings
data:
  greeting: hello
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-helm-validate-'));
  const repository = uniqueRepository('helm-validate');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'helm-root' }] }));
  await pushTo(anonymous, repository, 'slim', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'helm-slim' }] }));
  rootImage = `${anonymous.host}/${repository}:root`;
  slimImage = `${anonymous.host}/${repository}:slim`;

  chart = join(dir, 'shop');
  await mkdir(join(chart, 'templates'), { recursive: true });
  await writeFile(join(chart, 'Chart.yaml'), CHART_YAML);
  await writeFile(join(chart, 'values.yaml'), VALUES_YAML);
  await writeFile(join(chart, 'templates', 'deployment.yaml'), DEPLOYMENT);
  await writeFile(join(chart, 'templates', 'worker.yaml'), WORKER);
  await writeFile(join(chart, 'templates', 'configmap.yaml'), CONFIGMAP);
  await writeFile(join(chart, 'templates', 'service.yaml'), SERVICE);
  await writeFile(
    join(dir, 'enforce.yaml'),
    'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: strict}\nspec:\n  mode: enforce\n',
  );
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('helm template | slimguard validate -f -', () => {
  it('judges every container the chart renders, skips the rest, and exits 1 on an enforce denial', async () => {
    const run = await helmTemplateIntoValidate(
      ['shop', chart, '--namespace', 'team-a', '--set', `image=${rootImage}`, '--set', `workerImage=${slimImage}`],
      ['--insecure-registry', anonymous.host, '--policy', join(dir, 'enforce.yaml')],
    );
    expect(run.helmStderr).toBe('');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^DENY Deployment team-a/shop-web container "web" \\(${escape(rootImage)}\\) at <stdin>:\\d+$`, 'm'));
    expect(run.stdout).toMatch(/^ {2}enforce: \[runAsRoot\] /m);
    // The CronJob names no namespace: it is judged in "default", as `kubectl apply` without -n would place it.
    expect(run.stdout).toMatch(/^ALLOW CronJob default\/shop-worker initContainer "wait" /m);
    expect(run.stdout).toMatch(/^ALLOW CronJob default\/shop-worker container "worker" /m);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(
      '2 workloads, 3 containers: 2 allowed, 0 warned, 1 denied, 0 errors; 2 objects skipped (ConfigMap, Service)',
    );
  });

  it('gives every rendered object the namespace of --namespace, and the JSON names the line in the stream', async () => {
    const run = await helmTemplateIntoValidate(
      ['shop', chart, '--set', `image=${slimImage}`, '--set', 'worker.enabled=false'],
      ['--insecure-registry', anonymous.host, '--namespace', 'ci', '--output', 'json'],
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { results: Record<string, any>[]; skipped: Record<string, any>[] };
    expect(report.results).toHaveLength(1);
    expect(report.results[0]).toMatchObject({
      file: '<stdin>',
      line: expect.any(Number),
      workload: { kind: 'Deployment', namespace: 'ci', name: 'shop-web' },
      container: { name: 'web', type: 'container' },
      image: slimImage,
      decision: 'allow',
    });
    expect(report.skipped.map((s) => [s.kind, s.namespace])).toEqual([
      ['ConfigMap', 'ci'],
      ['Service', 'ci'],
    ]);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
