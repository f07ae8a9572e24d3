import { describe, expect, it } from 'vitest';
import { decodeAdmissionReview, type AdmissionRequestView } from './admission-review.js';
import { formatWorkload, listContainers, type ContainerListing } from './list-containers.js';
import cronjobReview from './testdata/review-cronjob-create.json' with { type: 'json' };
import daemonsetReview from './testdata/review-daemonset-create.json' with { type: 'json' };
import deploymentReview from './testdata/review-deployment-create.json' with { type: 'json' };
import jobReview from './testdata/review-job-create.json' with { type: 'json' };
import podReview from './testdata/review-pod-create.json' with { type: 'json' };
import deleteReview from './testdata/review-pod-delete.json' with { type: 'json' };
import ephemeralReview from './testdata/review-pod-ephemeralcontainers-update.json' with { type: 'json' };
import replicasetReview from './testdata/review-replicaset-create.json' with { type: 'json' };
import rcReview from './testdata/review-replicationcontroller-create.json' with { type: 'json' };
import statefulsetReview from './testdata/review-statefulset-create.json' with { type: 'json' };

function decode(body: unknown, change?: (request: Record<string, unknown>) => void): AdmissionRequestView {
  const copy = structuredClone(body) as { request: Record<string, unknown> };
  change?.(copy.request);
  return decodeAdmissionReview(copy);
}

function review(listing: ContainerListing): Extract<ContainerListing, { action: 'review' }> {
  if (listing.action !== 'review') throw new Error(`expected a review, got skip: ${listing.message}`);
  return listing;
}

describe('listContainers: every kind', () => {
  const kinds: [string, unknown, string, string[][]][] = [
    ['Pod', podReview, 'Pod team-a/web-pod', [['container', 'app', 'nginx:1.27', 'spec.containers[0]'], ['container', 'metrics', 'ghcr.io/example/exporter:2.1', 'spec.containers[1]'], ['initContainer', 'setup', 'busybox:1.36', 'spec.initContainers[0]']]],
    ['Deployment', deploymentReview, 'Deployment team-a/web', [['container', 'nginx', 'nginx:1.27', 'spec.template.spec.containers[0]'], ['container', 'busybox', 'busybox:1.36', 'spec.template.spec.containers[1]']]],
    ['ReplicaSet', replicasetReview, 'ReplicaSet team-a/frontend', [['container', 'php-redis', 'us-docker.pkg.dev/google-samples/containers/gke/gb-frontend:v5', 'spec.template.spec.containers[0]']]],
    ['StatefulSet', statefulsetReview, 'StatefulSet team-a/web', [['container', 'nginx', 'registry.k8s.io/nginx-slim:0.24', 'spec.template.spec.containers[0]']]],
    ['DaemonSet', daemonsetReview, 'DaemonSet kube-system/fluentd-elasticsearch', [['container', 'fluentd-elasticsearch', 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2', 'spec.template.spec.containers[0]']]],
    ['Job', jobReview, 'Job team-a/migrate', [['container', 'migrate', 'busybox:1.36', 'spec.template.spec.containers[0]']]],
    ['CronJob', cronjobReview, 'CronJob team-a/nightly', [['container', 'nightly', 'busybox:1.36', 'spec.jobTemplate.spec.template.spec.containers[0]']]],
    ['ReplicationController', rcReview, 'ReplicationController team-a/nginx', [['container', 'nginx', 'nginx', 'spec.template.spec.containers[0]']]],
  ];
  it.each(kinds)('lists the containers of a %s', (_kind, body, workload, expected) => {
    const listing = review(listContainers(decode(body)));
    expect(formatWorkload(listing.workload)).toBe(workload);
    expect(listing.containers.map((c) => [c.type, c.name, c.image, c.fieldPath])).toEqual(expected);
    expect(listing.invalid).toEqual([]);
  });

  it('gives each container the namespace and the pod template labels', () => {
    const listing = review(listContainers(decode(deploymentReview)));
    expect(listing.containers[0]?.context).toEqual({
      namespace: 'team-a',
      workloadLabels: { app: 'web' },
      containerName: 'nginx',
      podSecurityContext: {},
      containerSecurityContext: {},
    });
    expect(listing.containers[0]?.serviceAccountName).toBe('default');
  });

  it('uses the pod template labels, not the workload labels, of a ReplicaSet', () => {
    const listing = review(listContainers(decode(replicasetReview)));
    expect(listing.containers[0]?.context.workloadLabels).toEqual({ tier: 'frontend' });
  });

  it('judges an UPDATE of a workload in full', () => {
    const request = decode(deploymentReview, (r) => {
      r['operation'] = 'UPDATE';
      r['oldObject'] = structuredClone(r['object']);
    });
    expect(review(listContainers(request)).containers).toHaveLength(2);
  });

  it('takes the namespace from the object when the request has none', () => {
    const request = decode(jobReview, (r) => {
      r['namespace'] = '';
    });
    const listing = review(listContainers(request));
    expect(listing.workload.namespace).toBe('team-a');
    expect(listing.containers[0]?.context.namespace).toBe('team-a');
  });

  it('takes the name from metadata, then from generateName', () => {
    const fromMetadata = decode(podReview, (r) => {
      r['name'] = '';
    });
    expect(listContainers(fromMetadata).workload.name).toBe('web-pod');
    const generated = decode(podReview, (r) => {
      r['name'] = '';
      const metadata = (r['object'] as { metadata: Record<string, unknown> }).metadata;
      delete metadata['name'];
      metadata['generateName'] = 'web-5d4f7c9b8-';
    });
    expect(formatWorkload(listContainers(generated).workload)).toBe('Pod team-a/web-5d4f7c9b8-*');
  });
});

describe('listContainers: ephemeral containers', () => {
  it('judges only the ephemeral containers added by an UPDATE of pods/ephemeralcontainers', () => {
    const listing = review(listContainers(decode(ephemeralReview)));
    expect(listing.containers.map((c) => [c.type, c.name, c.image, c.fieldPath])).toEqual([
      ['ephemeralContainer', 'debugger-p4m9z', 'nicolaka/netshoot:v0.13', 'spec.ephemeralContainers[1]'],
    ]);
    // The debugger runs with the pod's securityContext: that is what the kubelet applies.
    expect(listing.containers[0]?.effectiveSecurityContext).toEqual({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 3000 });
  });

  it('judges every ephemeral container when there is no oldObject', () => {
    const request = decode(ephemeralReview, (r) => {
      delete r['oldObject'];
    });
    expect(review(listContainers(request)).containers.map((c) => c.name)).toEqual(['debugger-7x2kq', 'debugger-p4m9z']);
  });

  it('judges nothing when no ephemeral container is new', () => {
    const request = decode(ephemeralReview, (r) => {
      r['object'] = structuredClone(r['oldObject']);
    });
    expect(review(listContainers(request))).toMatchObject({ containers: [], invalid: [] });
  });

  it('judges a same-named ephemeral container with another image as new', () => {
    const request = decode(ephemeralReview, (r) => {
      const spec = (r['oldObject'] as { spec: { ephemeralContainers: { name: string }[] } }).spec;
      spec.ephemeralContainers[0] = { ...spec.ephemeralContainers[0], name: 'debugger-p4m9z' };
    });
    expect(review(listContainers(request)).containers.map((c) => c.image)).toEqual(['busybox:1.36', 'nicolaka/netshoot:v0.13']);
  });

  it('reads ephemeral containers of a Pod CREATE too', () => {
    const request = decode(podReview, (r) => {
      (r['object'] as { spec: Record<string, unknown> }).spec['ephemeralContainers'] = [{ name: 'dbg', image: 'busybox:1.36' }];
    });
    expect(review(listContainers(request)).containers.map((c) => c.type)).toEqual(['container', 'container', 'initContainer', 'ephemeralContainer']);
  });
});

describe('listContainers: requests with nothing to judge', () => {
  it('skips DELETE', () => {
    const listing = listContainers(decode(deleteReview));
    expect(listing).toMatchObject({ action: 'skip', reason: 'operation', message: 'DELETE requests run no new containers' });
    expect(formatWorkload(listing.workload)).toBe('Pod team-a/web-pod');
  });

  it('skips CONNECT (kubectl exec)', () => {
    const request = decode(deleteReview, (r) => {
      r['operation'] = 'CONNECT';
      r['subResource'] = 'exec';
      r['kind'] = { group: '', version: 'v1', kind: 'PodExecOptions' };
    });
    expect(listContainers(request)).toMatchObject({ action: 'skip', reason: 'operation' });
  });

  it('skips an unknown kind and says why', () => {
    const request = decode(deploymentReview, (r) => {
      r['kind'] = { group: 'example.com', version: 'v1', kind: 'Widget' };
    });
    const listing = listContainers(request);
    expect(listing).toMatchObject({ action: 'skip', reason: 'unsupportedKind' });
    if (listing.action === 'skip') expect(listing.message).toBe('kind example.com/Widget is not judged (slimguard reads Pod, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, CronJob, ReplicationController)');
  });

  it('does not mistake a kind of another group for a workload', () => {
    const request = decode(deploymentReview, (r) => {
      r['kind'] = { group: 'example.com', version: 'v1', kind: 'Deployment' };
    });
    expect(listContainers(request)).toMatchObject({ action: 'skip', reason: 'unsupportedKind' });
  });

  it('skips the status and scale subresources', () => {
    for (const subResource of ['status', 'scale']) {
      const request = decode(deploymentReview, (r) => {
        r['operation'] = 'UPDATE';
        r['subResource'] = subResource;
      });
      const listing = listContainers(request);
      expect(listing).toMatchObject({ action: 'skip', reason: 'subresource' });
      if (listing.action === 'skip') expect(listing.message).toBe(`subresource deployments/${subResource} cannot change images`);
    }
  });

  it('reports a workload without a pod template instead of crashing', () => {
    const request = decode(statefulsetReview, (r) => {
      delete (r['object'] as { spec: Record<string, unknown> }).spec['template'];
    });
    expect(review(listContainers(request))).toMatchObject({ containers: [], invalid: [{ fieldPath: 'spec.template', reason: 'no pod template' }] });
  });

  it('reports a CronJob whose jobTemplate is a string', () => {
    const request = decode(cronjobReview, (r) => {
      (r['object'] as { spec: Record<string, unknown> }).spec['jobTemplate'] = 'oops';
    });
    expect(review(listContainers(request)).invalid).toEqual([{ fieldPath: 'spec.jobTemplate.spec.template', reason: 'no pod template' }]);
  });
});
