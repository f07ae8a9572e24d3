// The pure policy engine: policy model, rules, evaluate(). No I/O (see DESIGN.md).
export { evaluate, decide, NAMESPACE_MODE_LABEL, RULES, type EvaluateInput } from './evaluate.js';
export type { ActiveMode, Rule, RuleInput, RuleResult } from './rule.js';
export { runAsRootRule } from './run-as-root.js';
export { sizeBudgetRule, resolveSizeBudget, type ResolvedBudget } from './size-budget.js';
export { buildBaseRule, createBuildBaseRule, type BuildBaseDetector, type BuildBaseRuleOptions } from './build-base-rule.js';
export {
  MAX_USER_ID,
  parseImageUser,
  resolveEffectiveUser,
  runsAsRoot,
  verifyRunAsNonRoot,
  type EffectiveUser,
  type ImageUser,
  type RunAsNonRootRefusal,
} from './effective-user.js';
export { attributeLayers, cleanHistoryLine, largestLayers, type AttributedLayer } from './layer-attribution.js';
export { daysUntilExpiry, exemptionCovers, findExemption, isExpired, type ExemptionLookup, type ExemptionTarget } from './exemptions.js';
export { formatBytes, parseQuantity, parseQuantityWithUnits, type Quantity } from './quantity.js';
export { globToRegExp, matchesAnyGlob, matchesGlob } from './glob.js';
export { familiarReference, matchesImage, repositoryName } from './image-names.js';
export { matchesLabelSelector, type LabelSelector, type LabelSelectorRequirement } from './label-selector.js';
export { InvalidQuantityError, PolicyEngineError } from './errors.js';
export type {
  BuildBaseCatalogEntry,
  BuildBasePolicy,
  Exemption,
  Policy,
  RulePolicy,
  RunAsRootPolicy,
  SizeBudget,
  SizeBudgetOverride,
  SizeBudgetPolicy,
  UnitSystem,
} from './policy.js';
export {
  MODES,
  RULE_IDS,
  type ContainerContext,
  type Decision,
  type Evidence,
  type Mode,
  type PolicyFacts,
  type RuleId,
  type SecurityContextFacts,
  type Verdict,
  type Violation,
} from './types.js';
export type { BuildBaseFinding, BuildBaseSignature, Ecosystem, ResolvedCatalogEntry } from './build-base/types.js';
