import type { Logger } from 'pino';
import {
  AdmissionDecodeError,
  allowResponse,
  buildAdmissionResponse,
  decodeAdmissionReview,
  formatWorkload,
  listContainers,
  type AdmissionRequestView,
  type AdmissionReviewResponse,
  type ContainerRef,
  type ContainerResult,
} from '../admission/index.js';
import type { ImageSource } from '../image-facts/image-source.js';
import { judgeImage, judgeImageSync, type JudgeRequest, type Judgement } from '../judge/judge-image.js';
import { createVerdictMemo } from '../judge/verdict-memo.js';
import type { Metrics } from '../metrics/index.js';
import { formatPlatform } from '../oci/platform.js';
import { NAMESPACE_MODE_LABEL } from '../policy/evaluate.js';
import type { Policy } from '../policy/policy.js';
import type { Decision } from '../policy/types.js';
import { noClusterView, type ClusterView } from './cluster-view.js';
import { BadReviewError } from './errors.js';
import { missingPlatforms, platformForContainer } from './platforms.js';

export interface ReviewContext {
  /** Epoch ms by which the answer must be sent (the API server's timeout minus a margin). */
  deadline: number;
  signal: AbortSignal;
  requestId: string;
}

export interface Exclusions {
  /** Namespaces never judged (kube-system, slimguard's own). */
  namespaces: string[];
  /** Request usernames never judged, e.g. `system:serviceaccount:slimguard:slimguard`. */
  usernames: string[];
}

export interface ReviewHandlerOptions {
  source: ImageSource;
  policy: () => Policy;
  cluster?: ClusterView;
  exclusions?: Exclusions;
  metrics?: Metrics;
  logger: Logger;
  /**
   * Writes the one decision line per review; default `logger.info(fields, msg)`. `slimguard serve`
   * passes its logger's pino-shaped line writer (cli/logger.ts), which skips pino's field walk.
   */
  writeDecisionLine?: (fields: Readonly<Record<string, DecisionLineValue>>, msg: string) => void;
}

/** What a decision line carries: flat values that JSON.stringify and pino write alike. */
export type DecisionLineValue = string | number | boolean | readonly string[] | undefined;

/**
 * Answers synchronously when every image is judged from memory (the warm path), else with a
 * promise; a review it cannot decode always rejects (BadReviewError).
 */
export type ReviewHandler = (body: unknown, context: ReviewContext) => AdmissionReviewResponse | Promise<AdmissionReviewResponse>;

/**
 * AdmissionReview in, AdmissionReview out, always before the deadline: exclusions, listing,
 * facts and verdicts per container, then one answer in the fixed order of the admission module.
 */
export function createReviewHandler(options: ReviewHandlerOptions): ReviewHandler {
  const cluster = options.cluster ?? noClusterView;
  const exclusions = options.exclusions ?? { namespaces: [], usernames: [] };
  const { logger, metrics } = options;
  const writeDecisionLine = options.writeDecisionLine ?? ((fields, msg) => logger.info(fields, msg));
  const memo = createVerdictMemo();

  // Not async: a fully warm review (every image's facts in memory) is answered synchronously,
  // without a promise, a timer or an abort signal; anything else returns a promise. Every throw
  // still becomes a rejection, as the ReviewHandler contract says.
  return function handleReview(body, context) {
    try {
      return review(body, context);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  function review(body: unknown, context: ReviewContext): AdmissionReviewResponse | Promise<AdmissionReviewResponse> {
    const started = performance.now();
    let request: AdmissionRequestView;
    try {
      request = decodeAdmissionReview(body);
    } catch (error) {
      if (error instanceof AdmissionDecodeError) throw new BadReviewError(error.code, error.message, { cause: error });
      throw error;
    }

    const finish = (response: AdmissionReviewResponse, decision: Decision, extra: Record<string, DecisionLineValue> = {}) => {
      const durationSeconds = (performance.now() - started) / 1000;
      metrics?.recordAdmission({
        kind: request.kind.kind,
        operation: request.operation,
        decision,
        durationSeconds,
        dryRun: request.dryRun,
      });
      writeDecisionLine(
        {
          uid: request.uid,
          requestId: context.requestId,
          namespace: request.namespace,
          kind: request.kind.kind,
          name: request.name,
          operation: request.operation,
          dryRun: request.dryRun,
          decision,
          durationMs: Math.round(durationSeconds * 1000),
          ...extra,
        },
        'admission decision',
      );
      return response;
    };

    if (exclusions.namespaces.includes(request.namespace) || (request.username && exclusions.usernames.includes(request.username))) {
      return finish(allowResponse(request.uid), 'allow', { skipped: 'excluded' });
    }

    const listing = listContainers(request);
    if (listing.action === 'skip') {
      return finish(allowResponse(request.uid), 'allow', { skipped: listing.reason, reason: listing.message });
    }

    const policy = options.policy();
    const namespaceLabels = cluster.namespaceLabels(request.namespace);
    // A namespace switched off costs no registry request at all.
    if (namespaceLabels?.[NAMESPACE_MODE_LABEL] === 'off') {
      return finish(allowResponse(request.uid), 'allow', { skipped: 'namespace mode off' });
    }

    const state: JudgeState = {
      request,
      policy,
      namespaceLabels,
      clusterPlatforms: cluster.nodePlatforms(),
      extraWarnings: [],
      context,
      // One clock reading per review, however many containers it has.
      now: new Date(),
    };
    const answer = (results: ContainerResult[]) => {
      const response = buildAdmissionResponse({
        uid: request.uid,
        workload: listing.workload,
        results,
        invalidContainers: listing.invalid,
        extraWarnings: state.extraWarnings,
      });
      const decision: Decision = !response.response.allowed ? 'deny' : response.response.warnings?.length ? 'warn' : 'allow';
      const rules = new Set<string>();
      for (const result of results) {
        if ('failure' in result) {
          metrics?.recordRegistryFailure(result.failure.onRegistryError);
          continue;
        }
        for (const violation of result.verdict.violations) {
          rules.add(violation.rule);
          metrics?.recordViolation({ rule: violation.rule, mode: violation.mode });
        }
      }
      return finish(response, decision, {
        workload: formatWorkload(listing.workload),
        rules: [...rules],
        registryFailures: results.filter((r) => 'failure' in r).length,
      });
    };

    // The warm path first: containers whose facts are in memory are judged here and now.
    const prepared = listing.containers.map((container) => prepareContainer(container, state));
    const settled = prepared.map((container) => judgeContainerNow(container, state));
    if (!settled.includes(undefined)) return answer(settled as ContainerResult[]);
    return judgeRest(prepared, settled, state).then(answer);
  }

  /** The containers the warm path could not judge, judged with registry lookups under one deadline. */
  async function judgeRest(prepared: PreparedContainer[], settled: (ContainerResult | undefined)[], state: JudgeState): Promise<ContainerResult[]> {
    // One deadline timer per review, and only when some lookup has to wait.
    const deadline = createDeadlineRace(state.context.deadline);
    try {
      return await Promise.all(prepared.map((container, i) => settled[i] ?? judgeContainer(container, state, deadline)));
    } finally {
      deadline.clear();
    }
  }

  function prepareContainer(container: ContainerRef, state: JudgeState): PreparedContainer {
    const { request, policy } = state;
    return {
      container,
      platform: platformForContainer(container.nodeSelector, state.clusterPlatforms, policy.platforms),
      credentials: cluster.keychainFor({
        namespace: request.namespace,
        serviceAccountName: container.serviceAccountName,
        imagePullSecrets: container.imagePullSecrets,
      }),
    };
  }

  function judgeRequest(prepared: PreparedContainer, state: JudgeState): JudgeRequest {
    return {
      source: options.source,
      policy: state.policy,
      reference: prepared.container.image,
      platform: prepared.platform,
      context: { ...prepared.container.context, namespaceLabels: state.namespaceLabels },
      deadline: state.context.deadline,
      keychain: prepared.credentials.keychain,
      now: state.now,
      memo,
    };
  }

  /** The result when the facts are in memory; undefined sends the container down judgeContainer. */
  function judgeContainerNow(prepared: PreparedContainer, state: JudgeState): ContainerResult | undefined {
    let judgement: Judgement | undefined;
    try {
      judgement = judgeImageSync(judgeRequest(prepared, state));
    } catch {
      // The async path meets the same failure and reports it the one way failures are reported.
      return undefined;
    }
    return judgement && judged(prepared.container, judgement, state);
  }

  async function judgeContainer(prepared: PreparedContainer, state: JudgeState, deadline: DeadlineRace): Promise<ContainerResult> {
    const { container, credentials } = prepared;
    const { request, policy, context } = state;
    try {
      const judgement = await deadline.race(judgeImage({ ...judgeRequest(prepared, state), signal: context.signal }), container.image);
      return judged(container, judgement, state);
    } catch (error) {
      const missingNote = credentials.missingSecrets.length > 0 ? `; pull secrets not found: ${credentials.missingSecrets.join(', ')}` : '';
      logger.warn({ uid: request.uid, image: container.image, err: describe(error) }, 'image facts unavailable');
      return {
        container,
        failure: { image: container.image, message: `${shortCause(error, container.image)}${missingNote}`, onRegistryError: policy.onRegistryError },
      };
    }
  }

  function judged(container: ContainerRef, { facts, verdict }: Judgement, state: JudgeState): ContainerResult {
    const missing = missingPlatforms(facts, state.clusterPlatforms);
    if (missing.length > 0) {
      state.extraWarnings.push(
        `[platform] ${container.image} has no ${missing.map(formatPlatform).join(', ')} image: pods scheduled on those nodes cannot start`,
      );
    }
    return { container, verdict };
  }
}

interface JudgeState {
  request: AdmissionRequestView;
  policy: Policy;
  namespaceLabels: Record<string, string> | undefined;
  clusterPlatforms: ReturnType<ClusterView['nodePlatforms']>;
  extraWarnings: string[];
  context: ReviewContext;
  now: Date;
}

/** A container with what its lookup needs, worked out once for the warm try and the async fallback. */
interface PreparedContainer {
  container: ContainerRef;
  platform: ReturnType<typeof platformForContainer>;
  credentials: ReturnType<ClusterView['keychainFor']>;
}

interface DeadlineRace {
  /** `work`, or a TIMEOUT error naming `image` once the deadline passes, whichever comes first. */
  race<T>(work: Promise<T>, image: string): Promise<T>;
  /** Stops the timer; call once every race has settled. */
  clear(): void;
}

/**
 * Rejects at the deadline even if a lookup ignores its signal: the answer is never late. One
 * timer serves every container of the review (a timer per container cost more than the cached
 * lookups it guarded on the warm path).
 */
function createDeadlineRace(deadline: number): DeadlineRace {
  const waiting = new Set<() => void>();
  let timer: NodeJS.Timeout | undefined;
  const expire = () => {
    for (const reject of waiting) reject();
    waiting.clear();
  };
  return {
    race(work, image) {
      return new Promise((resolve, reject) => {
        const onDeadline = () => reject(Object.assign(new Error(`${image}: no answer from the registry before the deadline`), { code: 'TIMEOUT' }));
        waiting.add(onDeadline);
        timer ??= setTimeout(expire, Math.max(0, deadline - Date.now()));
        work.then(
          (value) => {
            waiting.delete(onDeadline);
            resolve(value);
          },
          (error: unknown) => {
            waiting.delete(onDeadline);
            reject(error);
          },
        );
      });
    },
    clear() {
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** The cause without the image name the admission module adds itself. */
function shortCause(error: unknown, image: string): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(`${image}: `) ? message.slice(image.length + 2) : message;
}

function describe(error: unknown): { code?: string; message: string } {
  return { code: (error as { code?: string }).code, message: error instanceof Error ? error.message : String(error) };
}
