import { matchesAnyGlob } from './glob.js';
import { attributeLayers, largestLayers, type AttributedLayer } from './layer-attribution.js';
import { matchesLabelSelector } from './label-selector.js';
import type { SizeBudget, SizeBudgetOverride, SizeBudgetPolicy, UnitSystem } from './policy.js';
import { formatBytes } from './quantity.js';
import type { ActiveMode, Rule, RuleInput, RuleResult } from './rule.js';
import type { ContainerContext, Evidence, PolicyFacts } from './types.js';

/** Messages stay short enough for a kubectl warning line; the full layer list is in evidence. */
const MESSAGE_LIMIT = 200;
const LAYERS_IN_MESSAGE = 2;

export interface ResolvedBudget extends SizeBudget {
  /** "default", or which override applied: "override 2 (namespaces ml-*)". */
  source: string;
}

/**
 * The budget for this workload: the first override whose conditions all match (namespaces AND
 * selector), else the default. An override without warnAtPercent keeps the default's warn band.
 */
export function resolveSizeBudget(policy: SizeBudgetPolicy, context: ContainerContext): ResolvedBudget {
  const index = policy.overrides.findIndex((override) => overrideMatches(override, context));
  const override = policy.overrides[index];
  if (override === undefined) {
    return withWarnBand({ maxCompressedSizeBytes: policy.maxCompressedSizeBytes, units: policy.units, source: 'default' }, policy.warnAtPercent);
  }
  return withWarnBand(
    { maxCompressedSizeBytes: override.maxCompressedSizeBytes, units: override.units, source: `override ${index + 1} (${describeOverride(override)})` },
    override.warnAtPercent ?? policy.warnAtPercent,
  );
}

function withWarnBand(budget: ResolvedBudget, warnAtPercent: number | undefined): ResolvedBudget {
  return warnAtPercent === undefined ? budget : { ...budget, warnAtPercent };
}

/** Overrides only match a real workload: the CLI, with no namespace or labels, gets the default. */
function overrideMatches(override: SizeBudgetOverride, context: ContainerContext): boolean {
  if (override.namespaces !== undefined) {
    if (context.namespace === undefined || !matchesAnyGlob(override.namespaces, context.namespace)) return false;
  }
  if (override.selector !== undefined) {
    if (context.workloadLabels === undefined || !matchesLabelSelector(override.selector, context.workloadLabels)) return false;
  }
  return override.namespaces !== undefined || override.selector !== undefined;
}

function describeOverride(override: SizeBudgetOverride): string {
  const parts: string[] = [];
  if (override.namespaces) parts.push(`namespaces ${override.namespaces.join(', ')}`);
  if (override.selector) {
    const labels = Object.entries(override.selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
    const expressions = (override.selector.matchExpressions ?? []).map(
      (requirement) => `${requirement.key} ${requirement.operator}${requirement.values?.length ? ` (${requirement.values.join(', ')})` : ''}`,
    );
    parts.push(`selector ${[...labels, ...expressions].join(', ') || '{}'}`);
  }
  return parts.join('; ');
}

/**
 * sizeBudget: the compressed size of the judged platform against the workload's budget. Above the
 * budget is a violation in the rule's mode; in the warn band (warnAtPercent up to the budget) it is
 * a warning even in enforce mode, so teams hear about growth before a deploy is refused.
 */
export const sizeBudgetRule: Rule = {
  id: 'sizeBudget',
  check({ facts, context, policy, mode, image }: RuleInput): RuleResult {
    const budget = resolveSizeBudget(policy.rules.sizeBudget, context);
    const size = facts.compressedSizeBytes;
    const limit = budget.maxCompressedSizeBytes;
    const overBudget = size > limit;
    const warnFrom = budget.warnAtPercent === undefined ? undefined : (limit * budget.warnAtPercent) / 100;
    const inWarnBand = !overBudget && warnFrom !== undefined && size >= warnFrom;
    if (!overBudget && !inWarnBand) return {};

    const [sizeText, budgetText] = formatPair(size, limit, budget.units);
    const percent = limit === 0 ? 100 : Math.floor((size / limit) * 100);
    const head = overBudget
      ? `[sizeBudget] ${image} is ${sizeText} compressed, budget ${budgetText}`
      : `[sizeBudget] ${image} is ${sizeText} compressed, ${percent}% of its ${budgetText} budget`;
    const layers = largestLayers(attributeLayers(facts));
    const violationMode: ActiveMode = overBudget || mode === 'audit' ? mode : 'warn';
    return {
      violation: {
        rule: 'sizeBudget',
        mode: violationMode,
        message: withLargestLayers(head, layers, budget.units),
        evidence: evidenceFor(facts, budget, layers),
      },
    };
  },
};

/** Both numbers in the budget's units; exact bytes when rounding would make them look equal. */
function formatPair(size: number, limit: number, units: UnitSystem): [string, string] {
  const sizeText = formatBytes(size, units);
  const budgetText = formatBytes(limit, units);
  return sizeText === budgetText && size !== limit ? [`${size} B`, `${limit} B`] : [sizeText, budgetText];
}

function withLargestLayers(head: string, layers: readonly AttributedLayer[], units: UnitSystem): string {
  const shown = layers.slice(0, LAYERS_IN_MESSAGE);
  if (shown.length === 0) return head;
  const intro = '; largest layers: ';
  const separator = ', ';
  const room = MESSAGE_LIMIT - head.length - intro.length - separator.length * (shown.length - 1);
  const wanted = shown.map((layer) => {
    const size = formatBytes(layer.size, units);
    return { size, what: layer.createdBy ?? `layer ${layer.index + 1} (no history)` };
  });
  // Share the room so one long RUN line cannot push the next layer out: short entries take what
  // they need, the long ones split the rest.
  const allowance = new Map<number, number>();
  let left = room;
  const byNeed = wanted.map((entry, index) => ({ index, need: entry.size.length + 1 + entry.what.length })).sort((a, b) => a.need - b.need);
  byNeed.forEach(({ index, need }, position) => {
    const share = Math.min(need, Math.floor(left / (byNeed.length - position)));
    allowance.set(index, share);
    left -= share;
  });
  const parts: string[] = [];
  wanted.forEach((entry, index) => {
    const forWhat = (allowance.get(index) ?? 0) - entry.size.length - 1;
    if (forWhat >= 8) parts.push(`${entry.size} ${truncate(entry.what, forWhat)}`);
  });
  return parts.length === 0 ? head : `${head}${intro}${parts.join(separator)}`;
}

function truncate(text: string, room: number): string {
  return text.length <= room ? text : `${text.slice(0, room - 1).trimEnd()}…`;
}

function evidenceFor(facts: PolicyFacts, budget: ResolvedBudget, layers: readonly AttributedLayer[]): Evidence[] {
  const evidence: Evidence[] = [
    { signal: 'size', detail: `${formatBytes(facts.compressedSizeBytes, budget.units)} (${facts.compressedSizeBytes} bytes) compressed, ${facts.layers.length} layers` },
    {
      signal: 'budget',
      detail:
        `${formatBytes(budget.maxCompressedSizeBytes, budget.units)} (${budget.maxCompressedSizeBytes} bytes) from ${budget.source}` +
        (budget.warnAtPercent === undefined ? '' : `, warn at ${budget.warnAtPercent}%`),
    },
  ];
  for (const layer of layers) {
    evidence.push({
      signal: 'layer',
      detail: `${formatBytes(layer.size, budget.units)} ${layer.digest} ${layer.createdBy ?? '(no history)'}`,
    });
  }
  return evidence;
}
