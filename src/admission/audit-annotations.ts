// AdmissionResponse.auditAnnotations: how audit mode records what it saw. The API server stores
// each as "<webhook name>/<key>" in the audit event and refuses (logs and drops) a key that does
// not make a qualified name that way (k8s.io/apiserver admission checkKeyFormat: exactly one "/",
// the name part at most 63 characters of [A-Za-z0-9_.-], alphanumeric at both ends). Values are
// free text; slimguard writes JSON and keeps the total small, as audit events are kept for long.
import type { Decision, Mode, RuleId } from '../policy/types.js';
import { truncateText, utf8ByteLength } from './warnings.js';

/** The keys slimguard writes; the API server shows them as e.g. "slimguard.io/violations". */
export const AUDIT_ANNOTATION_KEYS = {
  /** "allow", "warn" or "deny". */
  decision: 'decision',
  /** JSON array of AuditViolation. */
  violations: 'violations',
  /** JSON array of AuditRegistryFailure. */
  registryFailures: 'registry-failures',
  /** How many violation or failure records did not fit (a decimal number). */
  omitted: 'omitted',
} as const;

/** Budget for all keys and values together, in UTF-8 bytes. */
export const AUDIT_ANNOTATIONS_MAX_BYTES = 10 * 1024;
/** Longest message kept in a record. */
export const AUDIT_MESSAGE_MAX_CHARS = 512;

const QUALIFIED_NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const QUALIFIED_NAME_MAX_LENGTH = 63;

/** Whether the API server accepts `key` as the name part of "<webhook name>/<key>". */
export function isValidAuditAnnotationKey(key: string): boolean {
  return key.length <= QUALIFIED_NAME_MAX_LENGTH && QUALIFIED_NAME_PART.test(key);
}

/** One violation, with the containers (by name: unique within a pod) that have it. */
export interface AuditViolation {
  rule: RuleId;
  mode: Exclude<Mode, 'off'>;
  image: string;
  digest?: string;
  containers: string[];
  message: string;
}

export interface AuditRegistryFailure {
  image: string;
  onRegistryError: 'allow' | 'deny';
  containers: string[];
  message: string;
}

export interface AuditAnnotationsInput {
  decision: Decision;
  violations: readonly AuditViolation[];
  registryFailures: readonly AuditRegistryFailure[];
}

/**
 * The audit annotations for one review, or undefined when there is nothing to record (no
 * violation in any mode, no registry failure). Records that do not fit in `maxBytes` are left
 * out, last first, and counted under `omitted`.
 */
export function buildAuditAnnotations(
  input: AuditAnnotationsInput,
  maxBytes: number = AUDIT_ANNOTATIONS_MAX_BYTES,
): Record<string, string> | undefined {
  if (input.violations.length === 0 && input.registryFailures.length === 0) return undefined;
  const keys = AUDIT_ANNOTATION_KEYS;
  const annotations: Record<string, string> = { [keys.decision]: input.decision };
  // Room for the decision and for an "omitted" entry of up to 6 digits.
  let budget = maxBytes - entrySize(keys.decision, input.decision) - entrySize(keys.omitted, '999999');
  let omitted = 0;

  // Failures are few and explain an allow without checks: they come first, with at most half.
  const failures = fitRecords(input.registryFailures.map(shortenMessage), keys.registryFailures, Math.floor(budget / 2));
  if (failures.json !== undefined) {
    annotations[keys.registryFailures] = failures.json;
    budget -= entrySize(keys.registryFailures, failures.json);
  }
  omitted += failures.omitted;

  const violations = fitRecords(input.violations.map(shortenMessage), keys.violations, budget);
  if (violations.json !== undefined) annotations[keys.violations] = violations.json;
  omitted += violations.omitted;

  if (omitted > 0) annotations[keys.omitted] = String(omitted);
  return annotations;
}

function shortenMessage<T extends { message: string }>(record: T): T {
  return { ...record, message: truncateText(record.message, AUDIT_MESSAGE_MAX_CHARS) };
}

/** The longest prefix of `records` whose JSON array fits in `budget` bytes (key included). */
function fitRecords(records: readonly object[], key: string, budget: number): { json: string | undefined; omitted: number } {
  if (records.length === 0) return { json: undefined, omitted: 0 };
  const parts: string[] = [];
  let size = entrySize(key, '[]');
  for (const record of records) {
    const part = JSON.stringify(record);
    const added = utf8ByteLength(part) + (parts.length > 0 ? 1 : 0);
    if (size + added > budget) break;
    parts.push(part);
    size += added;
  }
  return { json: parts.length === 0 ? undefined : `[${parts.join(',')}]`, omitted: records.length - parts.length };
}

function entrySize(key: string, value: string): number {
  return utf8ByteLength(key) + utf8ByteLength(value);
}
