// The containers of a pod template (a Pod, or the template of a workload), each with everything
// the webhook needs to judge it: the image, the ContainerContext for the policy, and the pod-level
// facts the registry side needs (pull secrets, service account, node OS/architecture).
import type { ContainerContext, SecurityContextFacts } from '../policy/types.js';
import { parseReference } from '../reference/index.js';
import { isJsonObject, objectAt, stringField, stringMapField, type JsonObject } from './json-access.js';
import { mergeSecurityContexts, readSecurityContext } from './security-context.js';

export const CONTAINER_TYPES = ['container', 'initContainer', 'ephemeralContainer'] as const;
export type ContainerType = (typeof CONTAINER_TYPES)[number];

/** The PodSpec list each type of container lives in, in the order they are reported. */
export const CONTAINER_LIST_FIELDS: Readonly<Record<ContainerType, string>> = {
  container: 'containers',
  initContainer: 'initContainers',
  ephemeralContainer: 'ephemeralContainers',
};

/** Well-known node labels a nodeSelector may pin; they choose the platform of a multi-arch image. */
export const NODE_OS_LABEL = 'kubernetes.io/os';
export const NODE_ARCH_LABEL = 'kubernetes.io/arch';
export const DEFAULT_SERVICE_ACCOUNT = 'default';

export interface PlatformSelector {
  /** nodeSelector["kubernetes.io/os"], e.g. "linux", "windows". */
  os?: string;
  /** nodeSelector["kubernetes.io/arch"], e.g. "amd64", "arm64". */
  arch?: string;
}

/** One container to judge. */
export interface ContainerRef {
  type: ContainerType;
  /** The container's name ("" only when the object has none, which the API server would reject). */
  name: string;
  /** Position in its list (containers[index]). */
  index: number;
  /** The image exactly as written in the spec, e.g. "nginx:1.27". */
  image: string;
  /** Where the container is, as Kubernetes prints field paths: "spec.template.spec.containers[0]". */
  fieldPath: string;
  /** Input for policy evaluate(): namespace, workload labels, name, pod and container securityContext. */
  context: ContainerContext;
  /** The container's securityContext merged over the pod's (what the kubelet applies). */
  effectiveSecurityContext: SecurityContextFacts;
  /** spec.imagePullSecrets[].name, without duplicates. */
  imagePullSecrets: string[];
  /** spec.serviceAccountName (or the deprecated spec.serviceAccount), else "default". */
  serviceAccountName: string;
  nodeSelector: PlatformSelector;
}

/** A container (or container list) that cannot be judged; reported as a warning, never a crash. */
export interface InvalidContainer {
  type?: ContainerType;
  name?: string;
  fieldPath: string;
  /** What is wrong, e.g. "no image set". */
  reason: string;
}

export interface PodTemplateContainers {
  containers: ContainerRef[];
  invalid: InvalidContainer[];
}

export interface ReadPodTemplateOptions {
  /** The namespace of the request; becomes ContainerContext.namespace. */
  namespace?: string;
  /** Field path of the template in the object: "" for a Pod, "spec.template" for a Deployment. */
  fieldPath: string;
  /** Which container lists to read; default all three. */
  types?: readonly ContainerType[];
}

/** Reads the containers of a pod template `{ metadata, spec }`; odd shapes become InvalidContainer entries. */
export function readPodTemplateContainers(template: unknown, options: ReadPodTemplateOptions): PodTemplateContainers {
  const result: PodTemplateContainers = { containers: [], invalid: [] };
  const specPath = joinPath(options.fieldPath, 'spec');
  const spec = objectAt(template, ['spec']);
  if (spec === undefined) {
    result.invalid.push({ fieldPath: specPath, reason: options.fieldPath === '' ? 'no pod spec' : 'no pod template spec' });
    return result;
  }
  const pod = readPodFacts(template, spec, options.namespace);
  for (const type of options.types ?? CONTAINER_TYPES) {
    const listPath = joinPath(specPath, CONTAINER_LIST_FIELDS[type]);
    const list = spec[CONTAINER_LIST_FIELDS[type]];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      result.invalid.push({ type, fieldPath: listPath, reason: 'is not a list' });
      continue;
    }
    list.forEach((entry: unknown, index) => {
      const read = readContainer(entry, type, index, `${listPath}[${index}]`, pod);
      if ('reason' in read) result.invalid.push(read);
      else result.containers.push(read);
    });
  }
  return result;
}

/** What every container of one pod shares. */
interface PodFacts {
  namespace: string | undefined;
  labels: Record<string, string>;
  securityContext: SecurityContextFacts;
  imagePullSecrets: string[];
  serviceAccountName: string;
  nodeSelector: PlatformSelector;
}

function readPodFacts(template: unknown, spec: JsonObject, namespace: string | undefined): PodFacts {
  const selector = stringMapField(spec, 'nodeSelector');
  const nodeSelector: PlatformSelector = {};
  if (selector[NODE_OS_LABEL] !== undefined) nodeSelector.os = selector[NODE_OS_LABEL];
  if (selector[NODE_ARCH_LABEL] !== undefined) nodeSelector.arch = selector[NODE_ARCH_LABEL];
  return {
    namespace: namespace === '' ? undefined : namespace,
    labels: stringMapField(objectAt(template, ['metadata']), 'labels'),
    securityContext: readSecurityContext(spec['securityContext']),
    imagePullSecrets: readPullSecretNames(spec['imagePullSecrets']),
    // serviceAccount is the deprecated alias the API server still accepts.
    serviceAccountName: nonEmpty(stringField(spec, 'serviceAccountName')) ?? nonEmpty(stringField(spec, 'serviceAccount')) ?? DEFAULT_SERVICE_ACCOUNT,
    nodeSelector,
  };
}

function readContainer(entry: unknown, type: ContainerType, index: number, fieldPath: string, pod: PodFacts): ContainerRef | InvalidContainer {
  if (!isJsonObject(entry)) return { type, fieldPath, reason: 'is not an object' };
  const name = stringField(entry, 'name') ?? '';
  const named = name === '' ? {} : { name };
  const image = entry['image'];
  if (image === undefined || image === null || image === '') return { type, ...named, fieldPath, reason: 'no image set' };
  if (typeof image !== 'string') return { type, ...named, fieldPath, reason: 'image is not a string' };
  if (image.trim() === '') return { type, ...named, fieldPath, reason: 'image is blank' };
  const problem = referenceProblem(image);
  if (problem !== undefined) return { type, ...named, fieldPath, reason: problem };

  const containerSecurityContext = readSecurityContext(entry['securityContext']);
  const context: ContainerContext = {
    workloadLabels: { ...pod.labels },
    containerName: name,
    podSecurityContext: { ...pod.securityContext },
    containerSecurityContext,
  };
  if (pod.namespace !== undefined) context.namespace = pod.namespace;
  return {
    type,
    name,
    index,
    image,
    fieldPath,
    context,
    effectiveSecurityContext: mergeSecurityContexts(pod.securityContext, containerSecurityContext),
    imagePullSecrets: [...pod.imagePullSecrets],
    serviceAccountName: pod.serviceAccountName,
    nodeSelector: { ...pod.nodeSelector },
  };
}

/**
 * Why the kubelet could not pull this image either (it parses with the same distribution/reference
 * rules), so the container can never run and there is nothing to judge.
 */
function referenceProblem(image: string): string | undefined {
  try {
    parseReference(image);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid image reference';
  }
}

function readPullSecretNames(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const names = new Set<string>();
  for (const entry of value) {
    const name = isJsonObject(entry) ? stringField(entry, 'name') : undefined;
    if (name !== undefined && name !== '') names.add(name);
  }
  return [...names];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function joinPath(base: string, field: string): string {
  return base === '' ? field : `${base}.${field}`;
}
