/** One problem in a policy file, with where it is. */
export interface PolicyIssue {
  /** Dotted path into the document: "spec.rules.sizeBudget.maxCompressedSize", "spec.exemptions[0].reason"; "" for the whole file. */
  path: string;
  message: string;
  /** What to do about it, e.g. "did you mean maxCompressedSize?". */
  hint?: string;
  /** 1-based position in the file, when known. */
  line?: number;
  column?: number;
}

export type PolicyErrorCode =
  /** The file could not be read (missing, unreadable, too large). */
  | 'POLICY_READ'
  /** The file is not valid YAML. */
  | 'POLICY_SYNTAX'
  /** The YAML does not describe a valid ImagePolicy. */
  | 'POLICY_INVALID';

/** A policy that cannot be used; every problem found is listed, not just the first. */
export class PolicyError extends Error {
  readonly code: PolicyErrorCode;
  /** The file name (or a label such as "<embedded default policy>") the policy came from. */
  readonly file: string;
  readonly issues: readonly PolicyIssue[];

  constructor(code: PolicyErrorCode, file: string, issues: readonly PolicyIssue[], options?: { cause?: unknown }) {
    super(formatPolicyError(code, file, issues), options);
    this.name = 'PolicyError';
    this.code = code;
    this.file = file;
    this.issues = issues;
  }
}

const HEADINGS: Record<PolicyErrorCode, string> = {
  POLICY_READ: 'cannot read policy',
  POLICY_SYNTAX: 'policy is not valid YAML',
  POLICY_INVALID: 'invalid policy',
};

/** Compiler-style lines ("policy.yaml:12:5: spec.mode: ...; did you mean enforce?") under a heading. */
export function formatPolicyError(code: PolicyErrorCode, file: string, issues: readonly PolicyIssue[]): string {
  const lines = issues.map((issue) => `  ${formatPolicyIssue(file, issue)}`);
  return [`${file}: ${HEADINGS[code]}`, ...lines].join('\n');
}

export function formatPolicyIssue(file: string, issue: PolicyIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}${issue.column === undefined ? '' : `:${issue.column}`}`;
  const path = issue.path === '' ? '' : `${issue.path}: `;
  const hint = issue.hint === undefined ? '' : `; ${issue.hint}`;
  return `${where}: ${path}${issue.message}${hint}`;
}
