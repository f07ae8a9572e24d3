// What a `validate` run found, and its text and JSON forms. The per-image part of every result is
// check's (a CheckResult), so `check` and `validate` print and serialise an image the same way.
import { formatWorkload, type ContainerType, type SkipReason, type WorkloadRef } from '../admission/index.js';
import { toJsonResult, type CheckResult } from './check-report.js';
import { EXIT_DENIED, EXIT_ERROR, EXIT_OK } from './exit-codes.js';

/** One container of one workload in the manifests, and the verdict on its image (or why there is none). */
export interface ValidateResult {
  /** Manifest file (or `<stdin>`) and the line of the container's `image:` field. */
  file: string;
  line: number;
  workload: WorkloadRef;
  container: { name: string; type: ContainerType; fieldPath: string };
  /** `image` as written in the manifest; a judgement or an error whose message starts with the image. */
  check: CheckResult;
}

/** Why an object was not judged: the webhook's reasons, plus a namespace switched off by its label. */
export type SkipCause = SkipReason | 'namespaceModeOff';

export interface SkippedObject {
  file: string;
  line: number;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  reason: SkipCause;
  message: string;
}

/** Something in the manifests that stops a full verdict: bad YAML, an unreadable path, a container without an image. */
export interface ValidateProblem {
  code: string;
  file: string;
  line?: number;
  column?: number;
  /** Starts with `file:line[:column]:` as far as known. */
  message: string;
}

export interface ValidateReport {
  /** Objects whose containers were listed (Pods and pod controllers). */
  workloads: number;
  results: ValidateResult[];
  skipped: SkippedObject[];
  problems: ValidateProblem[];
}

export interface ValidateCounts {
  workloads: number;
  containers: number;
  allowed: number;
  warned: number;
  denied: number;
  /** Containers whose image could not be judged, plus every problem in the manifests. */
  errors: number;
  skipped: number;
}

/** Exit codes like `check`: 2 for any error (manifests included), else 1 for any denial, else 0. */
export function validateExitCode(report: ValidateReport): number {
  if (report.problems.length > 0 || report.results.some((r) => 'error' in r.check)) return EXIT_ERROR;
  if (report.results.some((r) => 'judgement' in r.check && r.check.judgement.verdict.decision === 'deny')) return EXIT_DENIED;
  return EXIT_OK;
}

export function countValidate(report: ValidateReport): ValidateCounts {
  const counts: ValidateCounts = {
    workloads: report.workloads,
    containers: report.results.length,
    allowed: 0,
    warned: 0,
    denied: 0,
    errors: report.problems.length,
    skipped: report.skipped.length,
  };
  for (const { check } of report.results) {
    if ('error' in check) counts.errors += 1;
    else if (check.judgement.verdict.decision === 'allow') counts.allowed += 1;
    else if (check.judgement.verdict.decision === 'warn') counts.warned += 1;
    else counts.denied += 1;
  }
  return counts;
}

/** "ConfigMap x2, Service": skipped kinds in the order first met. */
export function summarizeSkipped(skipped: readonly SkippedObject[]): string {
  const byKind = new Map<string, number>();
  for (const object of skipped) byKind.set(object.kind, (byKind.get(object.kind) ?? 0) + 1);
  return [...byKind].map(([kind, count]) => (count === 1 ? kind : `${kind} x${count}`)).join(', ');
}

/** `DENY Deployment team-a/web container "app" (nginx:1.27) at deploy.yaml:12`, its violations indented, problems, a summary. */
export function formatValidateText(report: ValidateReport): string {
  const lines: string[] = [];
  for (const result of report.results) {
    const who = `${formatWorkload(result.workload)} ${result.container.type} ${JSON.stringify(result.container.name)}`;
    const at = `${result.file}:${result.line}`;
    const { check } = result;
    if ('error' in check) {
      // The message starts with the image (see validate-command.ts), so the image is named once.
      lines.push(`ERROR ${who} at ${at}: ${check.error.message}`);
      continue;
    }
    const { verdict } = check.judgement;
    lines.push(`${verdict.decision.toUpperCase()} ${who} (${check.image}) at ${at}`);
    for (const violation of verdict.violations) lines.push(`  ${violation.mode}: ${violation.message}`);
    for (const note of verdict.notes) lines.push(`  note: ${note}`);
  }
  for (const problem of report.problems) lines.push(`ERROR ${problem.message}`);
  lines.push(formatSummary(countValidate(report), report.skipped));
  return `${lines.join('\n')}\n`;
}

function formatSummary(counts: ValidateCounts, skipped: readonly SkippedObject[]): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const skippedText = `${plural(counts.skipped, 'object')} skipped${skipped.length > 0 ? ` (${summarizeSkipped(skipped)})` : ''}`;
  return (
    `${plural(counts.workloads, 'workload')}, ${plural(counts.containers, 'container')}: ` +
    `${counts.allowed} allowed, ${counts.warned} warned, ${counts.denied} denied, ${plural(counts.errors, 'error')}; ${skippedText}`
  );
}

/**
 * The JSON output: check's per-image entry (image, reference, digest, platform, decision, facts,
 * violations, notes) with the manifest location, workload and container around it; then the
 * skipped objects, the problems (`errors`) and the counts.
 */
export function toValidateJson(report: ValidateReport): unknown {
  return {
    results: report.results.map((result) => ({
      file: result.file,
      line: result.line,
      workload: { kind: result.workload.kind, namespace: result.workload.namespace, name: result.workload.name },
      container: result.container,
      ...toJsonResult(result.check),
    })),
    skipped: report.skipped,
    errors: report.problems,
    summary: countValidate(report),
  };
}
