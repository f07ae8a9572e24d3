import type { BuildBaseOptions } from './build-base/types.js';
import { buildBaseRule } from './build-base-rule.js';
import { findExemption } from './exemptions.js';
import { familiarReference } from './image-names.js';
import type { Policy } from './policy.js';
import type { Rule } from './rule.js';
import { runAsRootRule } from './run-as-root.js';
import { sizeBudgetRule } from './size-budget.js';
import { MODES, type ContainerContext, type Decision, type Mode, type PolicyFacts, type RuleId, type Verdict, type Violation } from './types.js';

/** The namespace label through which a namespace sets the mode of every rule (the webhook's override). */
export const NAMESPACE_MODE_LABEL = 'slimguard.io/mode';

/** Rules in the fixed order their violations are reported: runAsRoot, sizeBudget, buildBase. */
export const RULES: readonly Rule[] = [runAsRootRule, sizeBudgetRule, buildBaseRule];

export interface EvaluateInput {
  facts: PolicyFacts;
  /** Where the image runs; omit for the CLI (no pod, no namespace). */
  context?: ContainerContext;
  policy: Policy;
  /** The clock for exemption expiry; pass it to keep evaluation deterministic. Default: now. */
  now?: Date;
  /** The build-base catalog, resolved by the caller (resolution needs I/O). */
  buildBaseCatalog?: BuildBaseOptions['catalog'];
  /** The rules to run, in report order. Default RULES. */
  rules?: readonly Rule[];
}

/**
 * Judges one platform of one image for one container. Per rule: mode = the namespace label if
 * valid, else the rule's mode, else spec.mode; off rules are skipped; a violation covered by a live
 * exemption is dropped with a note. Decision: deny if any enforce violation, warn if any warn
 * violation, else allow (audit violations are listed but never change the decision).
 */
export function evaluate(input: EvaluateInput): Verdict {
  const { facts, policy } = input;
  const context = input.context ?? {};
  const now = input.now ?? new Date();
  const image = familiarReference(facts.reference);
  const notes: string[] = [];
  const violations: Violation[] = [];
  const verdict: Verdict = { image: facts.reference, digest: facts.digest, platform: facts.platform, decision: 'allow', violations, notes };

  const namespaceMode = readNamespaceMode(context, notes);
  for (const rule of input.rules ?? RULES) {
    const mode = namespaceMode ?? policy.rules[rule.id].mode ?? policy.mode;
    if (mode === 'off') continue;
    const result = rule.check({
      facts,
      context,
      policy,
      mode,
      image,
      ...(input.buildBaseCatalog === undefined ? {} : { buildBaseCatalog: input.buildBaseCatalog }),
    });
    if (result.notes) notes.push(...result.notes);
    if (result.buildBase) verdict.buildBase = result.buildBase;
    if (!result.violation) continue;

    const target = { reference: facts.reference, rule: rule.id, ...(context.namespace === undefined ? {} : { namespace: context.namespace }) };
    const lookup = findExemption(policy.exemptions, target, now, policy.exemptionWarningDays);
    if (lookup.kind === 'exempt') {
      notes.push(exemptedNote(rule.id, image, lookup.exemption.reason, lookup.expiringInDays, lookup.exemption.expires));
      continue;
    }
    if (lookup.kind === 'expired') {
      notes.push(`[${rule.id}] exemption for ${image} (${JSON.stringify(lookup.exemption.reason)}) expired ${lookup.exemption.expires}; the rule applies again`);
    }
    violations.push(result.violation);
  }
  verdict.decision = decide(violations);
  return verdict;
}

export function decide(violations: readonly Pick<Violation, 'mode'>[]): Decision {
  if (violations.some((violation) => violation.mode === 'enforce')) return 'deny';
  if (violations.some((violation) => violation.mode === 'warn')) return 'warn';
  return 'allow';
}

function readNamespaceMode(context: ContainerContext, notes: string[]): Mode | undefined {
  const value = context.namespaceLabels?.[NAMESPACE_MODE_LABEL];
  if (value === undefined) return undefined;
  if ((MODES as readonly string[]).includes(value)) return value as Mode;
  const where = context.namespace === undefined ? 'namespace' : `namespace ${context.namespace}`;
  notes.push(`${where} label ${NAMESPACE_MODE_LABEL}=${JSON.stringify(value)} ignored: expected one of ${MODES.join(', ')}`);
  return undefined;
}

function exemptedNote(rule: RuleId, image: string, reason: string, expiringInDays: number | undefined, expires: string | undefined): string {
  const note = `[${rule}] ${image} exempted: ${reason}`;
  if (expiringInDays === undefined) return note;
  const when = expiringInDays <= 1 ? 'within a day' : `in ${expiringInDays} days`;
  return `${note} (exemption expires ${when}, ${expires}; fix it before then)`;
}
