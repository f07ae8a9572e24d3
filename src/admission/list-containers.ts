// From a decoded request to the containers to judge, or the reason there is nothing to judge.
import type { AdmissionRequestView } from './admission-review.js';
import { objectAt, stringField, type JsonObject } from './json-access.js';
import { readPodTemplateContainers, type ContainerRef, type InvalidContainer } from './pod-containers.js';
import {
  EPHEMERAL_CONTAINERS_SUBRESOURCE,
  findWorkloadKind,
  formatGroupKind,
  podTemplateFieldPath,
  WORKLOAD_KIND_NAMES,
} from './workload-kinds.js';

/** The object under review, as messages name it: "Deployment team-a/web". */
export interface WorkloadRef {
  group: string;
  kind: string;
  /** "" when the request has none. */
  namespace: string;
  /** The object's name; "" when neither the request nor the object has one. */
  name: string;
}

/** Why a request is answered "allowed" without looking at any image. */
export type SkipReason =
  /** DELETE and CONNECT run no new containers. */
  | 'operation'
  /** A kind slimguard does not read containers from. */
  | 'unsupportedKind'
  /** A subresource that cannot add or change an image (status, scale, binding, ...). */
  | 'subresource';

export type ContainerListing =
  | { action: 'review'; workload: WorkloadRef; containers: ContainerRef[]; invalid: InvalidContainer[] }
  | { action: 'skip'; workload: WorkloadRef; reason: SkipReason; message: string };

/**
 * The containers a request asks to run. Pods yield containers, initContainers and
 * ephemeralContainers; workloads the containers of their pod template. On the Pod subresource
 * `ephemeralcontainers` only ephemeral containers are read, and on UPDATE only those that are new
 * compared with oldObject (the others were judged when they were added).
 */
export function listContainers(request: AdmissionRequestView): ContainerListing {
  const workload = workloadOf(request);
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') {
    return { action: 'skip', workload, reason: 'operation', message: `${request.operation} requests run no new containers` };
  }
  const kind = findWorkloadKind(request.kind);
  if (kind === undefined) {
    return {
      action: 'skip',
      workload,
      reason: 'unsupportedKind',
      message: `kind ${formatGroupKind(request.kind)} is not judged (slimguard reads ${WORKLOAD_KIND_NAMES.join(', ')})`,
    };
  }
  const ephemeralOnly = kind.kind === 'Pod' && request.subResource === EPHEMERAL_CONTAINERS_SUBRESOURCE;
  if (request.subResource !== '' && !ephemeralOnly) {
    return {
      action: 'skip',
      workload,
      reason: 'subresource',
      message: `subresource ${request.resource?.resource ?? kind.resource}/${request.subResource} cannot change images`,
    };
  }

  const fieldPath = podTemplateFieldPath(kind);
  const template = kind.podTemplatePath.length === 0 ? request.object : objectAt(request.object, kind.podTemplatePath);
  if (template === undefined) {
    return { action: 'review', workload, containers: [], invalid: [{ fieldPath, reason: 'no pod template' }] };
  }
  const namespace = request.namespace !== '' ? request.namespace : stringField(objectAt(request.object, ['metadata']), 'namespace');
  const read = readPodTemplateContainers(template, {
    fieldPath,
    ...(namespace === undefined || namespace === '' ? {} : { namespace }),
    ...(ephemeralOnly ? { types: ['ephemeralContainer'] as const } : {}),
  });
  if (ephemeralOnly && request.operation === 'UPDATE' && request.oldObject !== undefined) {
    const existing = existingEphemeralContainers(request.oldObject);
    read.containers = read.containers.filter((container) => !existing.has(ephemeralKey(container.name, container.image)));
  }
  return { action: 'review', workload, containers: read.containers, invalid: read.invalid };
}

/** "Deployment team-a/web" (or "Deployment web" without a namespace). */
export function formatWorkload(workload: WorkloadRef): string {
  const name = workload.name === '' ? '(unnamed)' : workload.name;
  return workload.namespace === '' ? `${workload.kind} ${name}` : `${workload.kind} ${workload.namespace}/${name}`;
}

function workloadOf(request: AdmissionRequestView): WorkloadRef {
  const metadata = objectAt(request.object ?? request.oldObject, ['metadata']);
  const generateName = stringField(metadata, 'generateName');
  const name =
    nonEmpty(request.name) ?? nonEmpty(stringField(metadata, 'name')) ?? (nonEmpty(generateName) === undefined ? '' : `${generateName}*`);
  return {
    group: request.kind.group,
    kind: request.kind.kind,
    namespace: nonEmpty(request.namespace) ?? stringField(metadata, 'namespace') ?? '',
    name,
  };
}

/**
 * Ephemeral containers can only be added, never changed or removed, so one already in oldObject
 * with the same name and image was judged when it was added.
 */
function existingEphemeralContainers(oldPod: JsonObject): Set<string> {
  const read = readPodTemplateContainers(oldPod, { fieldPath: '', types: ['ephemeralContainer'] });
  return new Set(read.containers.map((container) => ephemeralKey(container.name, container.image)));
}

function ephemeralKey(name: string, image: string): string {
  return JSON.stringify([name, image]);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
