import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';

type Json = Record<string, any>;

/** `kubectl create ... --dry-run=client -o json`: the objects users really apply. */
export function kubectlCreate(args: string[]): Json {
  return JSON.parse(execFileSync('kubectl', ['create', ...args, '--dry-run=client', '-o', 'json'], { encoding: 'utf8' })) as Json;
}

export function deployment(name: string, image: string): Json {
  return kubectlCreate(['deployment', name, `--image=${image}`]);
}

let deploymentTemplate: string | undefined;

/**
 * deployment() without a kubectl run per call: kubectl's output made once and the image swapped
 * in. For load (fuzzing, soak, bursts), where a blocking kubectl per review would stall the client.
 */
export function fastDeployment(name: string, image: string): Json {
  deploymentTemplate ??= JSON.stringify(deployment('web', 'template.invalid/image:tag'));
  const object = JSON.parse(deploymentTemplate) as Json;
  object.metadata.name = name;
  object.spec.template.spec.containers[0].image = image;
  return object;
}

/**
 * Every kind the webhook judges, built around one image. Deployment, Job and CronJob come from
 * kubectl; `kubectl run` and the other kinds need a server for --dry-run=client, so they are made
 * from the Deployment's pod template the way their API types nest it.
 */
export function everyKind(image: string): Json[] {
  const template = deployment('web', image).spec.template;
  const selector = { matchLabels: template.metadata.labels };
  const meta = (name: string) => ({ name, labels: template.metadata.labels });
  return [
    { apiVersion: 'v1', kind: 'Pod', metadata: meta('web'), spec: template.spec },
    deployment('web', image),
    { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('web'), spec: { selector, template } },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('web'), spec: { selector, serviceName: 'web', template } },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('web'), spec: { selector, template } },
    kubectlCreate(['job', 'web', `--image=${image}`]),
    kubectlCreate(['cronjob', 'web', `--image=${image}`, '--schedule=*/5 * * * *']),
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: meta('web'), spec: { selector: template.metadata.labels, template } },
  ];
}

const RESOURCES: Record<string, { group: string; version: string; resource: string }> = {
  Pod: { group: '', version: 'v1', resource: 'pods' },
  ReplicationController: { group: '', version: 'v1', resource: 'replicationcontrollers' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  Job: { group: 'batch', version: 'v1', resource: 'jobs' },
  CronJob: { group: 'batch', version: 'v1', resource: 'cronjobs' },
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps' },
};

/** Wraps an object in an AdmissionReview v1 request as the API server sends it. */
export function admissionReview(
  object: Json,
  options: { namespace?: string; operation?: string; dryRun?: boolean; username?: string; oldObject?: Json } = {},
): Json {
  const gvr = RESOURCES[object.kind as string] ?? { group: 'example.com', version: 'v1', resource: 'things' };
  const namespace = options.namespace ?? 'team-a';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: { group: gvr.group, version: gvr.version, kind: object.kind },
      resource: gvr,
      requestKind: { group: gvr.group, version: gvr.version, kind: object.kind },
      requestResource: gvr,
      name: object.metadata?.name,
      namespace,
      operation: options.operation ?? 'CREATE',
      userInfo: { username: options.username ?? 'alice@example.com', groups: ['system:authenticated'] },
      object: { ...object, metadata: { ...object.metadata, namespace } },
      oldObject: options.oldObject ?? null,
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
}
