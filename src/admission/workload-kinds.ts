// Which kinds slimguard judges and where each keeps its pod template. Matched on group and kind,
// any version: every served version of these kinds (batch/v1beta1 CronJob included) keeps the
// template at the same path, and with matchPolicy: Equivalent the API server converts to the
// version the webhook registered anyway.

/** The kinds that run containers and that the webhook configuration sends. */
export const WORKLOAD_KIND_NAMES = [
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'ReplicationController',
] as const;
export type WorkloadKindName = (typeof WORKLOAD_KIND_NAMES)[number];

export interface WorkloadKind {
  /** API group: "" for core. */
  group: string;
  kind: WorkloadKindName;
  /** Plural resource name, as in the webhook configuration's rules. */
  resource: string;
  /**
   * Path from the object to its pod template: an object with `metadata` (labels) and `spec`
   * (a PodSpec). Empty for a Pod, which is its own template.
   */
  podTemplatePath: readonly string[];
}

export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  { group: '', kind: 'Pod', resource: 'pods', podTemplatePath: [] },
  { group: 'apps', kind: 'Deployment', resource: 'deployments', podTemplatePath: ['spec', 'template'] },
  { group: 'apps', kind: 'ReplicaSet', resource: 'replicasets', podTemplatePath: ['spec', 'template'] },
  { group: 'apps', kind: 'StatefulSet', resource: 'statefulsets', podTemplatePath: ['spec', 'template'] },
  { group: 'apps', kind: 'DaemonSet', resource: 'daemonsets', podTemplatePath: ['spec', 'template'] },
  { group: 'batch', kind: 'Job', resource: 'jobs', podTemplatePath: ['spec', 'template'] },
  { group: 'batch', kind: 'CronJob', resource: 'cronjobs', podTemplatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
  { group: '', kind: 'ReplicationController', resource: 'replicationcontrollers', podTemplatePath: ['spec', 'template'] },
];

/** The subresource through which ephemeral containers are added to a running Pod (kubectl debug). */
export const EPHEMERAL_CONTAINERS_SUBRESOURCE = 'ephemeralcontainers';

export function findWorkloadKind(groupKind: { group: string; kind: string }): WorkloadKind | undefined {
  return WORKLOAD_KINDS.find((entry) => entry.group === groupKind.group && entry.kind === groupKind.kind);
}

/** "apps/Deployment", "Pod": how a kind is named in messages. */
export function formatGroupKind(groupKind: { group: string; kind: string }): string {
  return groupKind.group === '' ? groupKind.kind : `${groupKind.group}/${groupKind.kind}`;
}

/** The JSON path of the pod template as Kubernetes prints field paths: "spec.template". */
export function podTemplateFieldPath(kind: WorkloadKind): string {
  return kind.podTemplatePath.join('.');
}
