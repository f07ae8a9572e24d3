import type { ImageFacts } from '../image-facts/image-facts.js';
import type { ImageSource } from '../image-facts/image-source.js';
import type { Platform } from '../oci/types.js';
import { evaluate } from '../policy/evaluate.js';
import type { Policy } from '../policy/policy.js';
import type { ContainerContext, Verdict } from '../policy/types.js';
import type { Keychain } from '../registry/keychain.js';
import { resolveCatalog, type CatalogResolution } from './resolve-catalog.js';
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
  // One clock reading for both verdicts, as the memo keys them by minute.
  const judged = { ...request, now: request.now ?? new Date() };
  const judge = (f: ImageFacts) => judgeFacts(judged, f, resolved);
  let verdict = judge(facts);
  if (needsProvenance(facts, verdict)) {
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

/**
 * judgeImage without waiting, for the webhook's warm path: the judgement when the source has the
 * facts in memory (peekFacts) and nothing else needs a request, else undefined and the caller
 * takes judgeImage. It never reads request.signal, so a fully warm review needs no abort signal.
 * Gives up on a policy with a build-base catalog (resolved per call, asynchronously) and on a
 * verdict that wants provenance it would have to read.
 */
export function judgeImageSync(request: JudgeRequest): Judgement | undefined {
  if (request.policy.rules.buildBase.catalog.length > 0 || !request.source.peekFacts) return undefined;
  const facts = request.source.peekFacts({ reference: request.reference, platform: request.platform, deadline: request.deadline, keychain: request.keychain });
  if (!facts) return undefined;
  const verdict = judgeFacts(request, facts, undefined);
  return needsProvenance(facts, verdict) ? undefined : { facts, verdict };
}

/** The verdict on facts, from the memo when it has one (never with a catalog: that is resolved per call). */
function judgeFacts(request: JudgeRequest, facts: ImageFacts, resolved: CatalogResolution | undefined): Verdict {
  const context = request.context ?? {};
  const now = request.now ?? new Date();
  const memo = resolved ? undefined : request.memo;
  const remembered = memo?.get(request.policy, facts, context, now);
  if (remembered) return remembered;
  const verdict = evaluate({ facts, context, policy: request.policy, now, buildBaseCatalog: resolved?.entries });
  if (resolved?.problems.length) verdict.notes.push(...resolved.problems);
  memo?.set(request.policy, facts, context, now, verdict);
  return verdict;
}

/** A build-base finding the image's attestation could support, not read yet (two more requests). */
function needsProvenance(facts: ImageFacts, verdict: Verdict): boolean {
  return Boolean(facts.attestation) && !facts.provenance && verdict.violations.some((v) => v.rule === 'buildBase');
}
