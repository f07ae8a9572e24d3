// The securityContext fields the runAsRoot rule reads, at pod and container level.
import type { SecurityContextFacts } from '../policy/types.js';
import { booleanField, integerField, isJsonObject, stringField } from './json-access.js';

type WindowsOptions = NonNullable<SecurityContextFacts['windowsOptions']>;

/**
 * The SecurityContextFacts of a pod or container `securityContext`; fields of the wrong type are
 * left out (as if unset), and an absent context reads as {}.
 */
export function readSecurityContext(value: unknown): SecurityContextFacts {
  if (!isJsonObject(value)) return {};
  const facts: SecurityContextFacts = {};
  const runAsUser = integerField(value, 'runAsUser');
  if (runAsUser !== undefined) facts.runAsUser = runAsUser;
  const runAsGroup = integerField(value, 'runAsGroup');
  if (runAsGroup !== undefined) facts.runAsGroup = runAsGroup;
  const runAsNonRoot = booleanField(value, 'runAsNonRoot');
  if (runAsNonRoot !== undefined) facts.runAsNonRoot = runAsNonRoot;
  const windows = value['windowsOptions'];
  if (isJsonObject(windows)) {
    const options: WindowsOptions = {};
    const runAsUserName = stringField(windows, 'runAsUserName');
    if (runAsUserName !== undefined) options.runAsUserName = runAsUserName;
    const hostProcess = booleanField(windows, 'hostProcess');
    if (hostProcess !== undefined) options.hostProcess = hostProcess;
    if (Object.keys(options).length > 0) facts.windowsOptions = options;
  }
  return facts;
}

/**
 * The effective context of a container: each field from the container when it sets it, else from
 * the pod (Kubernetes DetermineEffectiveSecurityContext; windowsOptions field by field too).
 */
export function mergeSecurityContexts(pod: SecurityContextFacts, container: SecurityContextFacts): SecurityContextFacts {
  const merged: SecurityContextFacts = {};
  const runAsUser = container.runAsUser ?? pod.runAsUser;
  if (runAsUser !== undefined) merged.runAsUser = runAsUser;
  const runAsGroup = container.runAsGroup ?? pod.runAsGroup;
  if (runAsGroup !== undefined) merged.runAsGroup = runAsGroup;
  const runAsNonRoot = container.runAsNonRoot ?? pod.runAsNonRoot;
  if (runAsNonRoot !== undefined) merged.runAsNonRoot = runAsNonRoot;
  const windows: WindowsOptions = {};
  const runAsUserName = container.windowsOptions?.runAsUserName ?? pod.windowsOptions?.runAsUserName;
  if (runAsUserName !== undefined) windows.runAsUserName = runAsUserName;
  const hostProcess = container.windowsOptions?.hostProcess ?? pod.windowsOptions?.hostProcess;
  if (hostProcess !== undefined) windows.hostProcess = hostProcess;
  if (Object.keys(windows).length > 0) merged.windowsOptions = windows;
  return merged;
}
