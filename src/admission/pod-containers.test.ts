import { describe, expect, it } from 'vitest';
import { readPodTemplateContainers } from './pod-containers.js';
import pod from './testdata/pod.json' with { type: 'json' };

function podWith(spec: Record<string, unknown>): unknown {
  return { metadata: { labels: { app: 'x' } }, spec };
}

describe('readPodTemplateContainers', () => {
  it('reads containers, then initContainers, with the pod-level facts', () => {
    const { containers, invalid } = readPodTemplateContainers(pod, { fieldPath: '', namespace: 'team-a' });
    expect(invalid).toEqual([]);
    expect(containers.map((c) => `${c.type}/${c.name}`)).toEqual(['container/app', 'container/metrics', 'initContainer/setup']);
    const app = containers[0];
    expect(app).toMatchObject({
      index: 0,
      image: 'nginx:1.27',
      fieldPath: 'spec.containers[0]',
      imagePullSecrets: ['regcred'],
      serviceAccountName: 'web',
      nodeSelector: { os: 'linux', arch: 'arm64' },
    });
    expect(app?.context).toEqual({
      namespace: 'team-a',
      workloadLabels: { app: 'web' },
      containerName: 'app',
      podSecurityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 3000 },
      containerSecurityContext: {},
    });
  });

  it('merges each container securityContext over the pod one, field by field', () => {
    const { containers } = readPodTemplateContainers(pod, { fieldPath: '' });
    const byName = new Map(containers.map((c) => [c.name, c]));
    expect(byName.get('app')?.effectiveSecurityContext).toEqual({ runAsUser: 1000, runAsGroup: 3000, runAsNonRoot: true });
    expect(byName.get('metrics')?.effectiveSecurityContext).toEqual({ runAsUser: 65532, runAsGroup: 3000, runAsNonRoot: true });
    // The init container asks for root explicitly: both its fields win over the pod's.
    expect(byName.get('setup')?.effectiveSecurityContext).toEqual({ runAsUser: 0, runAsGroup: 3000, runAsNonRoot: false });
    expect(byName.get('setup')?.context.containerSecurityContext).toEqual({ runAsUser: 0, runAsNonRoot: false });
  });

  it('reads only the lists asked for', () => {
    const { containers } = readPodTemplateContainers(pod, { fieldPath: '', types: ['initContainer'] });
    expect(containers.map((c) => c.name)).toEqual(['setup']);
  });

  it('omits the namespace when there is none', () => {
    const { containers } = readPodTemplateContainers(pod, { fieldPath: '', namespace: '' });
    expect(containers[0]?.context).not.toHaveProperty('namespace');
  });

  it('falls back to the deprecated serviceAccount, then to "default"', () => {
    expect(readPodTemplateContainers(podWith({ serviceAccount: 'legacy', containers: [{ name: 'a', image: 'a' }] }), { fieldPath: '' }).containers[0]?.serviceAccountName).toBe('legacy');
    expect(readPodTemplateContainers(podWith({ serviceAccountName: '', containers: [{ name: 'a', image: 'a' }] }), { fieldPath: '' }).containers[0]?.serviceAccountName).toBe('default');
  });

  it('keeps pull secret names once and drops entries without a name', () => {
    const template = podWith({ imagePullSecrets: [{ name: 'a' }, { name: 'a' }, {}, null, 'b', { name: 7 }, { name: 'c' }], containers: [{ name: 'x', image: 'x' }] });
    expect(readPodTemplateContainers(template, { fieldPath: '' }).containers[0]?.imagePullSecrets).toEqual(['a', 'c']);
  });

  it('ignores nodeSelector entries other than os and arch, and values that are not strings', () => {
    const template = podWith({ nodeSelector: { 'kubernetes.io/os': 'windows', 'kubernetes.io/arch': 5, disktype: 'ssd' }, containers: [{ name: 'x', image: 'x' }] });
    expect(readPodTemplateContainers(template, { fieldPath: '' }).containers[0]?.nodeSelector).toEqual({ os: 'windows' });
  });

  it('reports odd containers as invalid and keeps reading the others', () => {
    const template = podWith({
      containers: [
        { name: 'no-image' },
        { name: 'empty', image: '' },
        { name: 'blank', image: '   ' },
        { name: 'number', image: 42 },
        { name: 'upper', image: 'NGINX:1.27' },
        null,
        'nginx',
        { image: 'busybox:1.36' },
        { name: 'ok', image: 'nginx:1.27', securityContext: { runAsUser: '0', runAsNonRoot: 'yes', windowsOptions: 'x' } },
      ],
      initContainers: { name: 'not-a-list' },
      ephemeralContainers: null,
    });
    const { containers, invalid } = readPodTemplateContainers(template, { fieldPath: 'spec.template' });
    expect(invalid).toEqual([
      { type: 'container', name: 'no-image', fieldPath: 'spec.template.spec.containers[0]', reason: 'no image set' },
      { type: 'container', name: 'empty', fieldPath: 'spec.template.spec.containers[1]', reason: 'no image set' },
      { type: 'container', name: 'blank', fieldPath: 'spec.template.spec.containers[2]', reason: 'image is blank' },
      { type: 'container', name: 'number', fieldPath: 'spec.template.spec.containers[3]', reason: 'image is not a string' },
      { type: 'container', name: 'upper', fieldPath: 'spec.template.spec.containers[4]', reason: expect.stringContaining('must be lowercase') },
      { type: 'container', fieldPath: 'spec.template.spec.containers[5]', reason: 'is not an object' },
      { type: 'container', fieldPath: 'spec.template.spec.containers[6]', reason: 'is not an object' },
      { type: 'initContainer', fieldPath: 'spec.template.spec.initContainers', reason: 'is not a list' },
    ]);
    // A nameless container with an image is still judged; fields of the wrong type read as unset.
    expect(containers.map((c) => [c.name, c.index, c.image])).toEqual([
      ['', 7, 'busybox:1.36'],
      ['ok', 8, 'nginx:1.27'],
    ]);
    expect(containers[1]?.context.containerSecurityContext).toEqual({});
  });

  it('reports a template without a spec', () => {
    expect(readPodTemplateContainers({ metadata: {} }, { fieldPath: 'spec.template' })).toEqual({
      containers: [],
      invalid: [{ fieldPath: 'spec.template.spec', reason: 'no pod template spec' }],
    });
    expect(readPodTemplateContainers('nonsense', { fieldPath: '' }).invalid).toEqual([{ fieldPath: 'spec', reason: 'no pod spec' }]);
  });

  it('reads labels that are strings only, and no labels at all', () => {
    const template = { metadata: { labels: { app: 'x', bad: 1 } }, spec: { containers: [{ name: 'a', image: 'a' }] } };
    expect(readPodTemplateContainers(template, { fieldPath: '' }).containers[0]?.context.workloadLabels).toEqual({ app: 'x' });
    const bare = { spec: { containers: [{ name: 'a', image: 'a' }] } };
    expect(readPodTemplateContainers(bare, { fieldPath: '' }).containers[0]?.context.workloadLabels).toEqual({});
  });

  it('gives every container its own copies, so a caller changing one changes no other', () => {
    const { containers } = readPodTemplateContainers(pod, { fieldPath: '' });
    containers[0]?.imagePullSecrets.push('mutated');
    containers[0]!.context.workloadLabels!['mutated'] = 'yes';
    expect(containers[1]?.imagePullSecrets).toEqual(['regcred']);
    expect(containers[1]?.context.workloadLabels).toEqual({ app: 'web' });
  });
});
