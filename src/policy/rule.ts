import type { BuildBaseFinding, BuildBaseOptions } from './build-base/types.js';
import type { Policy } from './policy.js';
import type { ContainerContext, Mode, PolicyFacts, RuleId, Violation } from './types.js';

/** A mode under which a rule runs (off rules are never asked). */
export type ActiveMode = Exclude<Mode, 'off'>;

export interface RuleInput {
  facts: PolicyFacts;
  context: ContainerContext;
  policy: Policy;
  /** The mode this rule runs in for this image, after spec.mode and the namespace override. */
  mode: ActiveMode;
  /** The image as messages name it (familiar form: nginx:1.27). */
  image: string;
  /** The build-base catalog resolved ahead of time (the engine does no I/O), for buildBase. */
  buildBaseCatalog?: BuildBaseOptions['catalog'];
}

export interface RuleResult {
  /** At most one violation per rule and image: one message that says what is wrong and the fix. */
  violation?: Violation;
  /** Things worth knowing that are not violations (rule skipped, assumption made). */
  notes?: string[];
  /** The build-base finding, for output (JSON facts.buildBase) even when nothing was detected. */
  buildBase?: BuildBaseFinding;
}

/** One policy rule: pure, synchronous, judged on facts already read. */
export interface Rule {
  readonly id: RuleId;
  check(input: RuleInput): RuleResult;
}
