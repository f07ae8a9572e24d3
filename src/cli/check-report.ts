import type { Judgement } from '../judge/judge-image.js';
import { formatPlatform } from '../oci/platform.js';
import type { Platform } from '../oci/types.js';
import { EXIT_DENIED, EXIT_ERROR, EXIT_OK } from './exit-codes.js';

/**
 * One image (one platform of it, when several are judged) of a `check` run: judged, or the reason
 * it could not be. `platform` on an error is the platform that was asked for, when one was.
 */
export type CheckResult =
  | { image: string; judgement: Judgement }
  | {
      image: string;
      platform?: Platform;
      error: { code: string; message: string };
      /** When the index lacks the asked platform: the platforms it has (--all-platforms uses them). */
      availablePlatforms?: Platform[];
    };

export function exitCodeOf(results: readonly CheckResult[]): number {
  if (results.some((r) => 'error' in r)) return EXIT_ERROR;
  if (results.some((r) => 'judgement' in r && r.judgement.verdict.decision === 'deny')) return EXIT_DENIED;
  return EXIT_OK;
}

/** The JSON output contract of DESIGN.md: results[] with image, digest, platform, decision, facts, violations. */
export function toJsonReport(results: readonly CheckResult[]): unknown {
  return { results: results.map(toJsonResult) };
}

/** One image's entry of the JSON contract; `validate` adds where the image was found around it. */
export function toJsonResult(result: CheckResult): Record<string, unknown> {
  if ('error' in result) {
    const platform = result.platform ? { platform: formatPlatform(result.platform) } : {};
    return { image: result.image, ...platform, decision: 'error', error: result.error };
  }
  const { facts, verdict } = result.judgement;
  return {
    image: result.image,
    reference: facts.reference,
    digest: facts.digest,
    ...(facts.indexDigest ? { indexDigest: facts.indexDigest } : {}),
    platform: formatPlatform(facts.platform),
    decision: verdict.decision,
    facts: {
      user: facts.user,
      compressedSizeBytes: facts.compressedSizeBytes,
      buildBase: verdict.buildBase ?? { detected: false, evidence: [] },
      layers: facts.layers.length,
      created: facts.created,
    },
    violations: verdict.violations.map((v) => ({ rule: v.rule, mode: v.mode, message: v.message, evidence: v.evidence })),
    notes: verdict.notes,
  };
}
