import type { ImageFacts } from '../image-facts/image-facts.js';
import type { Policy } from '../policy/policy.js';
import type { ContainerContext, SecurityContextFacts, Verdict } from '../policy/types.js';

export interface VerdictMemo {
  get(policy: Policy, facts: ImageFacts, context: ContainerContext, now: Date): Verdict | undefined;
  set(policy: Policy, facts: ImageFacts, context: ContainerContext, now: Date, verdict: Verdict): void;
}

/**
 * Remembers verdicts of the warm path. evaluate() is pure: the same policy, facts, container
 * context and minute give the same verdict, and the webhook sees the same few pod templates
 * thousands of times. Policies and facts are keyed by identity (a reloaded policy or refetched
 * facts are new objects, so stale verdicts are never found, and WeakMaps let them go); the
 * context by value (contextKey); time by minute, so exemptions still expire on time. Memoized
 * verdicts are frozen: callers share them.
 */
export function createVerdictMemo(options: { maxContextsPerImage?: number; granularityMs?: number } = {}): VerdictMemo {
  const maxContexts = options.maxContextsPerImage ?? 64;
  const granularityMs = options.granularityMs ?? 60_000;
  const byPolicy = new WeakMap<Policy, WeakMap<ImageFacts, Map<string, Verdict>>>();

  const key = (context: ContainerContext, now: Date) => `${Math.floor(now.getTime() / granularityMs)}|${contextKey(context)}`;

  return {
    get(policy, facts, context, now) {
      return byPolicy.get(policy)?.get(facts)?.get(key(context, now));
    },
    set(policy, facts, context, now, verdict) {
      let byFacts = byPolicy.get(policy);
      if (!byFacts) byPolicy.set(policy, (byFacts = new WeakMap()));
      let contexts = byFacts.get(facts);
      if (!contexts) byFacts.set(facts, (contexts = new Map()));
      // Contexts come from pod specs anyone can write: bound them per image.
      if (contexts.size >= maxContexts) contexts.clear();
      Object.freeze(verdict.violations);
      Object.freeze(verdict.notes);
      contexts.set(key(context, now), Object.freeze(verdict));
    },
  };
}

/**
 * The context by value, field by field in a fixed order, every string length-prefixed so no two
 * different contexts give the same key. Hand-written because JSON.stringify of each container's
 * whole context (labels included) was the largest part of a memo hit (~4 µs per container on the
 * warm path); the fields are those of ContainerContext, which is all evaluate() reads.
 */
export function contextKey(context: ContainerContext): string {
  return (
    text(context.namespace) +
    text(context.containerName) +
    labels(context.namespaceLabels) +
    labels(context.workloadLabels) +
    securityContext(context.podSecurityContext) +
    securityContext(context.containerSecurityContext)
  );
}

function text(value: string | undefined): string {
  return value === undefined ? '-' : `${value.length}:${value}`;
}

function flag(value: boolean | undefined): string {
  return value === undefined ? '-' : value ? 'T' : 'F';
}

function integer(value: number | undefined): string {
  return value === undefined ? '-' : `${value};`;
}

function labels(map: Record<string, string> | undefined): string {
  if (map === undefined) return '-';
  let key = '{';
  for (const name in map) key += text(name) + text(map[name]);
  return `${key}}`;
}

function securityContext(facts: SecurityContextFacts | undefined): string {
  if (facts === undefined) return '-';
  const windows = facts.windowsOptions;
  return (
    `(${integer(facts.runAsUser)}${integer(facts.runAsGroup)}${flag(facts.runAsNonRoot)}` +
    (windows === undefined ? '-' : `${text(windows.runAsUserName)}${flag(windows.hostProcess)}`) +
    ')'
  );
}
