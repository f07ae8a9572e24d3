// Lets the webhook skip re-judging an UPDATE that changes nothing slimguard reads (a scale, a
// rollout restart annotation, a label on the Deployment itself).
import { objectAt } from './json-access.js';
import { readPodTemplateContainers } from './pod-containers.js';
import { findWorkloadKind } from './workload-kinds.js';

/**
 * True when both objects are of a judged kind and their pod templates agree on everything a
 * verdict depends on: every container's type, name, image and securityContext, the pod
 * securityContext, template labels (exemptions may select on them), pull secrets, service account
 * and the nodeSelector OS/architecture. False whenever in doubt (unknown kind, template missing).
 */
export function unchangedPodTemplate(oldObject: unknown, newObject: unknown, groupKind: { group: string; kind: string }): boolean {
  const kind = findWorkloadKind(groupKind);
  if (kind === undefined) return false;
  const fingerprint = (object: unknown): string | undefined => {
    const template = kind.podTemplatePath.length === 0 ? objectAt(object, []) : objectAt(object, kind.podTemplatePath);
    if (template === undefined) return undefined;
    return canonicalJson(readPodTemplateContainers(template, { fieldPath: '' }));
  };
  const before = fingerprint(oldObject);
  return before !== undefined && before === fingerprint(newObject);
}

/** JSON with object keys sorted, so that two equal values always give the same text. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return entry;
    return Object.fromEntries(Object.entries(entry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}
