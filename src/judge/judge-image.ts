import type { ImageFacts } from '../image-facts/image-facts.js';
import type { ImageSource } from '../image-facts/image-source.js';
import type { Platform } from '../oci/types.js';
import { evaluate } from '../policy/evaluate.js';
import type { Policy } from '../policy/policy.js';
import type { ContainerContext, Verdict } from '../policy/types.js';
import type { Keychain } from '../registry/keychain.js';
import { resolveCatalog } from './resolve-catalog.js';
import type { VerdictMemo } from './verdict-memo.js';

export interface JudgeRequest {
  source: ImageSource;
  policy: Policy;
  reference: string;
  platform?: Platform;
  context?: ContainerContext;
  signal?: AbortSignal;
  deadline?: number;
  keychain?: Keychain;
  now?: Date;
  /** Verdicts already made for the same facts, context and policy (the webhook's warm path). */
  memo?: VerdictMemo;
}

export interface Judgement {
  facts: ImageFacts;
  verdict: Verdict;
}

/**
 * Facts in, verdict out: the one path both the CLI and the webhook take. The engine is
 * pure, so provenance (two more requests) is read only when the first verdict found a
 * build base and the image carries an attestation that can support the finding.
 */
export async function judgeImage(request: JudgeRequest): Promise<Judgement> {
  const { source } = request;
  const call = { signal: request.signal, deadline: request.deadline, keychain: request.keychain };
  const catalog = request.policy.rules.buildBase.catalog;
  const factsRequest = { ...call, reference: request.reference, platform: request.platform };
  // Without a catalog (the default policy) there is one lookup to wait for, not a Promise.all.
  const [initialFacts, resolved] =
    catalog.length > 0
      ? await Promise.all([
          source.getFacts(factsRequest),
          resolveCatalog({ source, catalog, platform: request.platform, signal: request.signal, deadline: request.deadline }),
        ])
      : [await source.getFacts(factsRequest), undefined];
  let facts = initialFacts;
  const context = request.context ?? {};
  const now = request.now ?? new Date();
  // A catalog is resolved per call, so its verdicts are not memoized.
  const memo = resolved ? undefined : request.memo;
  const judge = (f: ImageFacts) => {
    const remembered = memo?.get(request.policy, f, context, now);
    if (remembered) return remembered;
    const verdict = evaluate({ facts: f, context, policy: request.policy, now, buildBaseCatalog: resolved?.entries });
    if (resolved?.problems.length) verdict.notes.push(...resolved.problems);
    memo?.set(request.policy, f, context, now, verdict);
    return verdict;
  };
  let verdict = judge(facts);
  if (facts.attestation && !facts.provenance && verdict.violations.some((v) => v.rule === 'buildBase')) {
    try {
      const provenance = await source.getProvenance({ ...call, facts });
      if (provenance) {
        facts = { ...facts, provenance };
        verdict = judge(facts);
      }
    } catch {
      // Provenance only supports a finding the image's own layers already made: without
      // it the verdict stands, so a broken attestation must not fail the whole lookup.
    }
  }
  return { facts, verdict };
}
