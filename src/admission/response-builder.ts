// Turns the verdicts for the containers of one object into the AdmissionReview answer:
// enforce violations (and registry failures with onRegistryError: deny) deny with one line each;
// warn violations, registry failures allowed without checks, containers that could not be read,
// and verdict notes become warnings; every violation and failure goes into the audit annotations.
import type { Decision, Verdict } from '../policy/types.js';
import { ADMISSION_API_VERSION, ADMISSION_REVIEW_KIND, type AdmissionResponse, type AdmissionReviewResponse } from './admission-review.js';
import { buildAuditAnnotations, type AuditRegistryFailure, type AuditViolation } from './audit-annotations.js';
import { describeContainers, type ContainerIdentity } from './container-labels.js';
import { formatDenyMessage, type DenyReason } from './deny-message.js';
import type { WorkloadRef } from './list-containers.js';
import type { InvalidContainer } from './pod-containers.js';
import { codePointLength, limitWarnings, sanitizeText, truncateText, WARNING_MAX_CHARS } from './warnings.js';

/** An image whose facts could not be read (registry down, timeout, not found, unauthorized). */
export interface RegistryFailure {
  /** The image as the caller names it (normalized or as written). */
  image: string;
  /** The cause, short: "timeout", "manifest unknown", "401 unauthorized". Never a credential. */
  message: string;
  /** The policy's choice for this case: allow with a warning, or deny. */
  onRegistryError: 'allow' | 'deny';
}

/** What happened to one container: judged (a Verdict) or not judged (a RegistryFailure). */
export type ContainerResult =
  | { container: ContainerIdentity; verdict: Verdict }
  | { container: ContainerIdentity; failure: RegistryFailure };

export interface AdmissionResponseInput {
  /** request.uid, echoed. */
  uid: string;
  workload: WorkloadRef;
  /** One per judged container, in listing order (the order messages appear in). */
  results: readonly ContainerResult[];
  /** Containers the listing could not judge (listContainers' `invalid`): a warning each. */
  invalidContainers?: readonly InvalidContainer[];
  /** More warnings from the caller (a namespace label it ignored, ...); sent after the rules'. */
  extraWarnings?: readonly string[];
}

export const DENY_STATUS_CODE = 403;
export const DENY_STATUS_REASON = 'Forbidden';

/**
 * The decision for the whole object: deny when any container has an enforce violation or a
 * registry failure with onRegistryError deny; warn when any has a warn violation or a registry
 * failure allowed without checks; else allow. Audit violations never change it.
 */
export function workloadDecision(results: readonly ContainerResult[]): Decision {
  let decision: Decision = 'allow';
  for (const result of results) {
    const modes = 'verdict' in result ? result.verdict.violations.map((v) => v.mode) : [result.failure.onRegistryError === 'deny' ? 'enforce' : 'warn'];
    if (modes.includes('enforce')) return 'deny';
    if (modes.includes('warn')) decision = 'warn';
  }
  return decision;
}

export function buildAdmissionResponse(input: AdmissionResponseInput): AdmissionReviewResponse {
  const decision = workloadDecision(input.results);
  const denyReasons = new Grouped<DenyReason & { containers: ContainerIdentity[] }>();
  const warnings = new Grouped<{ containers: ContainerIdentity[]; message: string }>();
  const notes: string[] = [];
  const auditViolations = new Grouped<AuditViolation>();
  const auditFailures = new Grouped<AuditRegistryFailure>();

  for (const result of input.results) {
    const { container } = result;
    if ('verdict' in result) {
      const { verdict } = result;
      for (const violation of verdict.violations) {
        if (violation.mode === 'enforce') {
          denyReasons.add(`${container.image}\u0000${violation.message}`, { containers: [], message: violation.message }).containers.push(container);
        } else if (violation.mode === 'warn') {
          warnings.add(violation.message, { containers: [], message: violation.message }).containers.push(container);
        }
        const record: AuditViolation = { rule: violation.rule, mode: violation.mode, image: verdict.image, containers: [], message: violation.message };
        if (verdict.digest !== '') record.digest = verdict.digest;
        auditViolations.add(`${verdict.image}\u0000${verdict.digest}\u0000${violation.mode}\u0000${violation.message}`, record).containers.push(auditName(container));
      }
      notes.push(...verdict.notes);
    } else {
      const { failure } = result;
      const cause = `[registry] cannot read ${failure.image} (${sanitizeText(failure.message)})`;
      if (failure.onRegistryError === 'deny') {
        const message = `${cause}: denied (onRegistryError: deny)`;
        denyReasons.add(`${container.image}\u0000${message}`, { containers: [], message }).containers.push(container);
      } else {
        const message = `${cause}: allowed without checks`;
        warnings.add(message, { containers: [], message }).containers.push(container);
      }
      auditFailures
        .add(`${failure.image}\u0000${failure.onRegistryError}\u0000${failure.message}`, {
          image: failure.image,
          onRegistryError: failure.onRegistryError,
          containers: [],
          message: failure.message,
        })
        .containers.push(auditName(container));
    }
  }

  const response: AdmissionResponse = { uid: input.uid, allowed: decision !== 'deny' };
  if (decision === 'deny') {
    response.status = denyStatus(formatDenyMessage(input.workload, denyReasons.values()));
  }
  const warningLines = [
    ...warnings.values().map((warning) => withContainers(warning.message, warning.containers)),
    ...(input.invalidContainers ?? []).map(invalidContainerWarning),
    ...(input.extraWarnings ?? []),
    ...notes,
  ];
  const limited = limitWarnings(warningLines);
  if (limited.length > 0) response.warnings = limited;
  const annotations = buildAuditAnnotations({ decision, violations: auditViolations.values(), registryFailures: auditFailures.values() });
  if (annotations !== undefined) response.auditAnnotations = annotations;
  return review(response);
}

/** An AdmissionReview that allows, with optional warnings (limited like every other). */
export function allowResponse(uid: string, warnings: readonly string[] = []): AdmissionReviewResponse {
  const response: AdmissionResponse = { uid, allowed: true };
  const limited = limitWarnings(warnings);
  if (limited.length > 0) response.warnings = limited;
  return review(response);
}

export interface DenyOptions {
  /** HTTP-like status code in the answer; default 403. Below 400 the API server would use 400. */
  code?: number;
  /** metav1.StatusReason; default "Forbidden". */
  reason?: string;
  warnings?: readonly string[];
}

/** An AdmissionReview that denies with `message` (newlines kept, other control characters removed). */
export function denyResponse(uid: string, message: string, options: DenyOptions = {}): AdmissionReviewResponse {
  const response: AdmissionResponse = {
    uid,
    allowed: false,
    status: denyStatus(sanitizeText(message, { keepNewlines: true }), options.code, options.reason),
  };
  const limited = limitWarnings(options.warnings ?? []);
  if (limited.length > 0) response.warnings = limited;
  return review(response);
}

/**
 * An AdmissionReview that denies because slimguard failed (an internal error, the deadline):
 * code 500, reason InternalError. For a fail-open answer use allowResponse with a warning instead.
 */
export function errorResponse(uid: string, message: string): AdmissionReviewResponse {
  return denyResponse(uid, `slimguard could not review the request: ${message}`, { code: 500, reason: 'InternalError' });
}

function denyStatus(message: string, code = DENY_STATUS_CODE, reason = DENY_STATUS_REASON): NonNullable<AdmissionResponse['status']> {
  return { status: 'Failure', code, reason, message };
}

function review(response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_REVIEW_KIND, response };
}

/**
 * `[rule] message (container "app")`: the rule stays first (the contract prefix) and the
 * container names stay whole; the message is what gets cut to fit 256 characters.
 */
function withContainers(message: string, containers: readonly ContainerIdentity[]): string {
  const suffix = ` (${sanitizeText(describeContainers(containers))})`;
  const room = WARNING_MAX_CHARS - codePointLength(suffix);
  return `${truncateText(sanitizeText(message), room)}${suffix}`;
}

function auditName(container: ContainerIdentity): string {
  return container.name !== '' ? container.name : `#${container.index ?? '?'}`;
}

function invalidContainerWarning(invalid: InvalidContainer): string {
  // The field path already says where; a name, when there is one, says which container.
  const who = invalid.type === undefined || invalid.name === undefined ? '' : `${describeContainers([{ type: invalid.type, name: invalid.name, image: '' }])} at `;
  return `[invalid] ${who}${invalid.fieldPath}: ${invalid.reason}; not checked`;
}

/** Insertion-ordered groups: the first value added under a key is kept and returned for appending. */
class Grouped<T> {
  private readonly groups = new Map<string, T>();

  add(key: string, value: T): T {
    const existing = this.groups.get(key);
    if (existing !== undefined) return existing;
    this.groups.set(key, value);
    return value;
  }

  values(): T[] {
    return [...this.groups.values()];
  }
}
