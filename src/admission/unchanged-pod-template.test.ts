import { describe, expect, it } from 'vitest';
import { unchangedPodTemplate } from './unchanged-pod-template.js';
import cronjob from './testdata/cronjob.json' with { type: 'json' };
import deployment from './testdata/deployment.json' with { type: 'json' };
import pod from './testdata/pod.json' with { type: 'json' };

// Fixtures are edited freely in place: loose typing keeps each edit one line.
type Json = Record<string, any>;
const DEPLOYMENT = { group: 'apps', kind: 'Deployment' };

function edited(object: unknown, edit: (copy: Json) => void): Json {
  const copy = structuredClone(object) as Json;
  edit(copy);
  return copy;
}

describe('unchangedPodTemplate', () => {
  it('is true for a scale or an annotation on the Deployment itself', () => {
    const scaled = edited(deployment, (d) => {
      d.spec.replicas = 5;
      d.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': '{}' };
      d.metadata.labels.extra = 'yes';
    });
    expect(unchangedPodTemplate(deployment, scaled, DEPLOYMENT)).toBe(true);
  });

  it('is true when only fields slimguard does not read change (resources, env, a restart annotation)', () => {
    const restarted = edited(deployment, (d) => {
      d.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2025-01-01T00:00:00Z' };
      d.spec.template.spec.containers[0].env = [{ name: 'A', value: 'b' }];
      d.spec.template.spec.containers[0].resources = { limits: { cpu: '1' } };
    });
    expect(unchangedPodTemplate(deployment, restarted, DEPLOYMENT)).toBe(true);
  });

  it('does not care about the order of label keys', () => {
    const a = edited(deployment, (d) => {
      d.spec.template.metadata.labels = { app: 'web', tier: 'front' };
    });
    const b = edited(deployment, (d) => {
      d.spec.template.metadata.labels = { tier: 'front', app: 'web' };
    });
    expect(unchangedPodTemplate(a, b, DEPLOYMENT)).toBe(true);
  });

  const changes: [string, (d: Json) => void][] = [
    ['an image', (d) => void (d.spec.template.spec.containers[0].image = 'nginx:1.28')],
    ['a container securityContext', (d) => void (d.spec.template.spec.containers[1].securityContext = { runAsUser: 0 })],
    ['the pod securityContext', (d) => void (d.spec.template.spec.securityContext = { runAsNonRoot: true })],
    ['a new init container', (d) => void (d.spec.template.spec.initContainers = [{ name: 'i', image: 'busybox:1.36' }])],
    ['a template label', (d) => void (d.spec.template.metadata.labels.team = 'b')],
    ['the pull secrets', (d) => void (d.spec.template.spec.imagePullSecrets = [{ name: 'regcred' }])],
    ['the service account', (d) => void (d.spec.template.spec.serviceAccountName = 'builder')],
    ['the node architecture', (d) => void (d.spec.template.spec.nodeSelector = { 'kubernetes.io/arch': 'arm64' })],
    ['a container name', (d) => void (d.spec.template.spec.containers[0].name = 'web')],
  ];
  it.each(changes)('is false when %s changes', (_what, edit) => {
    expect(unchangedPodTemplate(deployment, edited(deployment, edit), DEPLOYMENT)).toBe(false);
  });

  it('reads the CronJob template and the Pod itself', () => {
    const cron = { group: 'batch', kind: 'CronJob' };
    expect(unchangedPodTemplate(cronjob, edited(cronjob, (c) => void (c.spec.schedule = '0 4 * * *')), cron)).toBe(true);
    expect(unchangedPodTemplate(cronjob, edited(cronjob, (c) => void (c.spec.jobTemplate.spec.template.spec.containers[0].image = 'busybox:1.37')), cron)).toBe(false);
    const POD = { group: '', kind: 'Pod' };
    expect(unchangedPodTemplate(pod, edited(pod, (p) => void (p.metadata.annotations = { a: 'b' })), POD)).toBe(true);
    expect(unchangedPodTemplate(pod, edited(pod, (p) => void (p.spec.containers[0].image = 'nginx:1.28')), POD)).toBe(false);
  });

  it('is false whenever in doubt', () => {
    expect(unchangedPodTemplate(deployment, deployment, { group: 'example.com', kind: 'Widget' })).toBe(false);
    expect(unchangedPodTemplate(undefined, deployment, DEPLOYMENT)).toBe(false);
    const noTemplate = edited(deployment, (d) => void delete d.spec.template);
    expect(unchangedPodTemplate(noTemplate, noTemplate, DEPLOYMENT)).toBe(false);
  });
});
