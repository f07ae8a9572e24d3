// The Deployment, PodDisruptionBudget, ServiceAccount and Services of the default render and of
// the values that change them, rendered by the real helm.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cluster/harness/tool-paths.js';
import { DEPLOYED_NODE_FLAGS } from '../harness/serve-process.js';
import { parseFinalStage } from '../image/dockerfile.js';
import { flagValues, NAMESPACE, renderChart, serveArgs, type Rendered } from './helm.js';

let rendered: Rendered;
beforeAll(async () => {
  rendered = await renderChart();
});

describe('Deployment (default values)', () => {
  it("runs the image's entrypoint, with the node flags the soak starts serve with (a fixed young generation)", () => {
    const container = rendered.get('Deployment', 'slimguard').spec.template.spec.containers[0];
    expect(container.command).toBeUndefined();
    const image = parseFinalStage(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
    expect(image.entrypoint).toEqual(['/nodejs/bin/node', ...DEPLOYED_NODE_FLAGS, '/app/dist/cli/main.js']);
  });

  it('runs 2 replicas of the chart appVersion image, spread across nodes', () => {
    const deployment = rendered.get('Deployment', 'slimguard');
    expect(deployment.metadata.namespace).toBe(NAMESPACE);
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.strategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
    const pod = deployment.spec.template.spec;
    expect(pod.containers).toHaveLength(1);
    expect(pod.containers[0].image).toBe('ghcr.io/slimguard/slimguard:0.1.0');
    expect(pod.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        topologyKey: 'kubernetes.io/hostname',
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: { matchLabels: deployment.spec.selector.matchLabels },
      },
    ]);
    expect(deployment.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'slimguard', 'app.kubernetes.io/instance': 'slimguard' });
  });

  it('runs as numeric non-root with a read-only root filesystem, no capabilities and RuntimeDefault seccomp', () => {
    const pod = rendered.get('Deployment').spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      fsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('has a token only in the slimguard pod, not on the ServiceAccount', () => {
    const pod = rendered.get('Deployment').spec.template.spec;
    expect(pod.serviceAccountName).toBe('slimguard');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(rendered.get('ServiceAccount', 'slimguard').automountServiceAccountToken).toBe(false);
  });

  it('probes /healthz and /readyz over HTTPS on the webhook port, and sets requests and a memory limit', () => {
    const container = rendered.get('Deployment').spec.template.spec.containers[0];
    expect(container.ports).toEqual([
      { name: 'https', containerPort: 8443, protocol: 'TCP' },
      { name: 'metrics', containerPort: 8080, protocol: 'TCP' },
    ]);
    expect(container.readinessProbe).toMatchObject({ httpGet: { path: '/readyz', port: 'https', scheme: 'HTTPS' }, periodSeconds: 5 });
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' } });
    expect(container.startupProbe).toMatchObject({ httpGet: { path: '/healthz', port: 'https', scheme: 'HTTPS' }, failureThreshold: 60 });
    expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
  });

  it('gives the pod its namespace from the downward API and waits out the shutdown delay and grace', () => {
    const pod = rendered.get('Deployment').spec.template.spec;
    expect(pod.containers[0].env).toContainEqual({ name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } });
    // 5 s delay + 10 s grace + 5 s margin.
    expect(pod.terminationGracePeriodSeconds).toBe(20);
  });

  it('mounts the policy ConfigMap as a directory (reloadable), an in-memory emptyDir for --cert-dir and /tmp', () => {
    const pod = rendered.get('Deployment').spec.template.spec;
    const mounts = pod.containers[0].volumeMounts;
    expect(mounts).toEqual([
      { name: 'policy', mountPath: '/etc/slimguard/policy', readOnly: true },
      { name: 'certs', mountPath: '/var/run/slimguard/certs' },
      { name: 'tmp', mountPath: '/tmp' },
    ]);
    expect(mounts.some((mount: { subPath?: string }) => mount.subPath)).toBe(false);
    expect(pod.volumes).toEqual([
      { name: 'policy', configMap: { name: 'slimguard-policy' } },
      { name: 'certs', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
      { name: 'tmp', emptyDir: { sizeLimit: '16Mi' } },
    ]);
  });

  it('passes exactly the slimguard serve flags of bootstrap mode', () => {
    expect(serveArgs(rendered)).toEqual([
      'serve',
      '--policy', '/etc/slimguard/policy/policy.yaml',
      '--listen', '0.0.0.0:8443',
      '--metrics-listen', '0.0.0.0:8080',
      '--cert-bootstrap-secret', 'slimguard-tls',
      '--cert-namespace', 'slimguard',
      '--cert-service', 'slimguard',
      '--webhook-configuration', 'slimguard',
      '--cert-dir', '/var/run/slimguard/certs',
      '--exclude-namespace', 'slimguard',
      '--exclude-username', 'system:serviceaccount:slimguard:slimguard',
      '--log-level', 'info',
      '--shutdown-delay', '5000',
      '--shutdown-grace', '10000',
    ]);
  });
});

describe('Deployment (values that change it)', () => {
  it('renders registry, pull-secret and certificate SAN values as repeatable flags', async () => {
    const args = serveArgs(
      await renderChart({
        'registry.insecureRegistries': ['mirror.internal:5000', '10.0.0.5:5000'],
        'registry.allowPrivateNetworks': true,
        'pullSecrets.enabled': true,
        'certificates.extraDnsNames': ['slimguard.example'],
        'certificates.extraIpAddresses': ['127.0.0.1'],
        'webhook.excludeNamespaces': ['sandbox'],
      }),
    );
    expect(flagValues(args, '--insecure-registry')).toEqual(['mirror.internal:5000', '10.0.0.5:5000']);
    expect(flagValues(args, '--cert-dns-name')).toEqual(['slimguard.example']);
    expect(flagValues(args, '--cert-ip-address')).toEqual(['127.0.0.1']);
    expect(flagValues(args, '--exclude-namespace')).toEqual(['slimguard', 'sandbox']);
    expect(args).toContain('--allow-private-networks');
    expect(args).toContain('--pull-secrets');
  });

  it('uses the release name in every object name and the chosen image tag', async () => {
    const other = await renderChart({ 'image.tag': '9.9.9' }, { release: 'guard' });
    expect(other.get('Deployment', 'guard-slimguard').spec.template.spec.containers[0].image).toBe('ghcr.io/slimguard/slimguard:9.9.9');
    expect(other.has('Service', 'guard-slimguard')).toBe(true);
    expect(other.has('ValidatingWebhookConfiguration', 'guard-slimguard')).toBe(true);
  });
});

describe('PodDisruptionBudget', () => {
  it('keeps one webhook pod through voluntary disruptions', () => {
    expect(rendered.get('PodDisruptionBudget', 'slimguard').spec).toEqual({
      minAvailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'slimguard', 'app.kubernetes.io/instance': 'slimguard' } },
    });
  });

  it('is left out with one replica, where it would block every drain', async () => {
    const single = await renderChart({ replicaCount: 1 });
    expect(single.get('Deployment').spec.replicas).toBe(1);
    expect(single.has('PodDisruptionBudget')).toBe(false);
  });
});

describe('Services', () => {
  it('exposes the webhook on 443 and the metrics on their own Service', () => {
    expect(rendered.get('Service', 'slimguard').spec.ports).toEqual([{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }]);
    const metrics = rendered.get('Service', 'slimguard-metrics');
    expect(metrics.spec.ports).toEqual([{ name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' }]);
    expect(metrics.metadata.labels['app.kubernetes.io/component']).toBe('metrics');
  });
});
