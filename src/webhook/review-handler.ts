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
import { judgeImage } from '../judge/judge-image.js';
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
}

export type ReviewHandler = (body: unknown, context: ReviewContext) => Promise<AdmissionReviewResponse>;

/**
 * AdmissionReview in, AdmissionReview out, always before the deadline: exclusions, listing,
 * facts and verdicts per container, then one answer in the fixed order of the admission module.
 */
export function createReviewHandler(options: ReviewHandlerOptions): ReviewHandler {
  const cluster = options.cluster ?? noClusterView;
  const exclusions = options.exclusions ?? { namespaces: [], usernames: [] };
  const { logger, metrics } = options;
  const memo = createVerdictMemo();

  return async function handleReview(body, context) {
    const started = performance.now();
    let request: AdmissionRequestView;
    try {
      request = decodeAdmissionReview(body);
    } catch (error) {
      if (error instanceof AdmissionDecodeError) throw new BadReviewError(error.code, error.message, { cause: error });
      throw error;
    }

    const finish = (response: AdmissionReviewResponse, decision: Decision, extra: Record<string, unknown> = {}) => {
      const durationSeconds = (performance.now() - started) / 1000;
      metrics?.recordAdmission({
        kind: request.kind.kind,
        operation: request.operation,
        decision,
        durationSeconds,
        dryRun: request.dryRun,
      });
      logger.info(
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

    const clusterPlatforms = cluster.nodePlatforms();
    const extraWarnings: string[] = [];
    // One deadline timer and one clock reading per review, however many containers it has.
    const deadline = createDeadlineRace(context.deadline);
    const now = new Date();
    let results: ContainerResult[];
    try {
      results = await Promise.all(
        listing.containers.map((container) =>
          judgeContainer(container, { request, policy, namespaceLabels, clusterPlatforms, extraWarnings, context, deadline, now }),
        ),
      );
    } finally {
      deadline.clear();
    }

    const response = buildAdmissionResponse({
      uid: request.uid,
      workload: listing.workload,
      results,
      invalidContainers: listing.invalid,
      extraWarnings,
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

  async function judgeContainer(
    container: ContainerRef,
    state: {
      request: AdmissionRequestView;
      policy: Policy;
      namespaceLabels: Record<string, string> | undefined;
      clusterPlatforms: ReturnType<ClusterView['nodePlatforms']>;
      extraWarnings: string[];
      context: ReviewContext;
      deadline: DeadlineRace;
      now: Date;
    },
  ): Promise<ContainerResult> {
    const { request, policy, context } = state;
    const platform = platformForContainer(container.nodeSelector, state.clusterPlatforms, policy.platforms);
    const credentials = cluster.keychainFor({
      namespace: request.namespace,
      serviceAccountName: container.serviceAccountName,
      imagePullSecrets: container.imagePullSecrets,
    });
    try {
      const { facts, verdict } = await state.deadline.race(
        judgeImage({
          source: options.source,
          policy,
          reference: container.image,
          platform,
          context: { ...container.context, namespaceLabels: state.namespaceLabels },
          signal: context.signal,
          deadline: context.deadline,
          keychain: credentials.keychain,
          now: state.now,
          memo,
        }),
        container.image,
      );
      const missing = missingPlatforms(facts, state.clusterPlatforms);
      if (missing.length > 0) {
        state.extraWarnings.push(
          `[platform] ${container.image} has no ${missing.map(formatPlatform).join(', ')} image: pods scheduled on those nodes cannot start`,
        );
      }
      return { container, verdict };
    } catch (error) {
      const missingNote = credentials.missingSecrets.length > 0 ? `; pull secrets not found: ${credentials.missingSecrets.join(', ')}` : '';
      logger.warn({ uid: request.uid, image: container.image, err: describe(error) }, 'image facts unavailable');
      return {
        container,
        failure: { image: container.image, message: `${shortCause(error, container.image)}${missingNote}`, onRegistryError: policy.onRegistryError },
      };
    }
  }
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
