import { matchesAnyGlob } from './glob.js';
import { matchesImage } from './image-names.js';
import type { Exemption } from './policy.js';
import type { RuleId } from './types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ExemptionTarget {
  /** Normalized reference (docker.io/library/nginx:1.27). */
  reference: string;
  namespace?: string;
  rule: RuleId;
}

/**
 * Whether the exemption covers this image, namespace and rule, ignoring expiry. Every condition
 * given must match; a namespace condition never matches when there is no namespace (the CLI).
 */
export function exemptionCovers(exemption: Exemption, target: ExemptionTarget): boolean {
  if (exemption.rules !== undefined && !exemption.rules.includes(target.rule)) return false;
  if (exemption.images !== undefined && !matchesImage(exemption.images, target.reference)) return false;
  if (exemption.namespaces !== undefined) {
    if (target.namespace === undefined || !matchesAnyGlob(exemption.namespaces, target.namespace)) return false;
  }
  return true;
}

/** Expired once `now` reaches expiresAt. */
export function isExpired(exemption: Exemption, now: Date): boolean {
  return exemption.expiresAt !== undefined && now.getTime() >= exemption.expiresAt.getTime();
}

/** Whole days left before expiry, rounded up (so "expires in 1 day" until the last moment). */
export function daysUntilExpiry(exemption: Exemption, now: Date): number | undefined {
  if (exemption.expiresAt === undefined) return undefined;
  return Math.ceil((exemption.expiresAt.getTime() - now.getTime()) / DAY_MS);
}

export type ExemptionLookup =
  | { kind: 'none' }
  /** An exemption applies; `expiringInDays` is set when it is within the warning window. */
  | { kind: 'exempt'; exemption: Exemption; expiringInDays?: number }
  /** Only expired exemptions cover the target: the rule applies again, and the user should know why. */
  | { kind: 'expired'; exemption: Exemption };

/**
 * The live exemption that covers the target and lasts longest (so the expiry warning only comes
 * when every covering exemption is about to end), else the first expired one that would have.
 */
export function findExemption(exemptions: readonly Exemption[], target: ExemptionTarget, now: Date, warningDays: number): ExemptionLookup {
  let expired: Exemption | undefined;
  let best: Exemption | undefined;
  for (const exemption of exemptions) {
    if (!exemptionCovers(exemption, target)) continue;
    if (isExpired(exemption, now)) {
      expired ??= exemption;
    } else if (best === undefined || expiryTime(exemption) > expiryTime(best)) {
      best = exemption;
    }
  }
  if (best !== undefined) {
    const days = daysUntilExpiry(best, now);
    return days !== undefined && days <= warningDays ? { kind: 'exempt', exemption: best, expiringInDays: days } : { kind: 'exempt', exemption: best };
  }
  return expired ? { kind: 'expired', exemption: expired } : { kind: 'none' };
}

function expiryTime(exemption: Exemption): number {
  return exemption.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
}
