// How messages name containers: `container "app"`, `containers "app", "sidecar"`,
// `initContainer "setup"`, so the user finds the line to fix in the manifest.
import type { ContainerRef, ContainerType } from './pod-containers.js';

/** What a message needs to name a container; a ContainerRef has all of it. */
export type ContainerIdentity = Pick<ContainerRef, 'type' | 'name' | 'image'> & { index?: number };

/** More names than this are summarised as "+N more": a warning has 256 characters in all. */
export const MAX_NAMED_CONTAINERS = 4;

const PLURAL: Record<ContainerType, string> = {
  container: 'containers',
  initContainer: 'initContainers',
  ephemeralContainer: 'ephemeralContainers',
};

/**
 * Names the containers, grouped by type in order of first appearance:
 * `containers "app", "web", initContainer "setup"`. Duplicates are named once.
 */
export function describeContainers(containers: readonly ContainerIdentity[]): string {
  const byType = new Map<ContainerType, string[]>();
  const seen = new Set<string>();
  for (const container of containers) {
    const name = containerName(container);
    const key = `${container.type}\u0000${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const names = byType.get(container.type) ?? [];
    names.push(name);
    byType.set(container.type, names);
  }
  const parts: string[] = [];
  let named = 0;
  let unnamed = 0;
  for (const [type, names] of byType) {
    const shown = names.slice(0, Math.max(0, MAX_NAMED_CONTAINERS - named));
    unnamed += names.length - shown.length;
    named += shown.length;
    if (shown.length > 0) parts.push(`${names.length > 1 ? PLURAL[type] : type} ${shown.join(', ')}`);
  }
  if (unnamed > 0) parts.push(`+${unnamed} more`);
  return parts.join(', ');
}

function containerName(container: ContainerIdentity): string {
  if (container.name !== '') return JSON.stringify(container.name);
  return container.index === undefined ? '(unnamed)' : `#${container.index}`;
}
