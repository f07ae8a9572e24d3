import { detectBuildBase } from './build-base/index.js';
import type { BuildBaseFacts, BuildBaseFinding, BuildBaseOptions } from './build-base/types.js';
import type { Rule, RuleInput, RuleResult } from './rule.js';

export type BuildBaseDetector = (facts: BuildBaseFacts, options: BuildBaseOptions) => BuildBaseFinding;

const DEFAULT_FIX = 'use a multi-stage build and copy the output onto a slim base (distroless, alpine, -slim, -jre)';

export interface BuildBaseRuleOptions {
  /** The detector; tests pass a stub so the rule's wording is tested apart from detection. */
  detect?: BuildBaseDetector;
}

/**
 * buildBase: the image was built on a full SDK/compiler image instead of a slim runtime base.
 * Detection is build-base/'s job; this wrapper hands it the policy's signatures, allowed bases
 * and catalog, and turns a finding into one message with the fix.
 */
export function createBuildBaseRule(options: BuildBaseRuleOptions = {}): Rule {
  const detect = options.detect ?? detectBuildBase;
  return {
    id: 'buildBase',
    check({ facts, policy, mode, image, buildBaseCatalog }: RuleInput): RuleResult {
      const settings = policy.rules.buildBase;
      const detectOptions: BuildBaseOptions = { extraSignatures: settings.extraSignatures, allowedBases: settings.allowedBases };
      if (buildBaseCatalog !== undefined) detectOptions.catalog = buildBaseCatalog;
      const finding = detect(facts, detectOptions);
      if (!finding.detected) {
        // Say when allowedBases let a build base through, so an over-broad glob is visible.
        if (finding.allowedBy === undefined) return { buildBase: finding };
        const base = finding.base ?? 'a build base';
        return { buildBase: finding, notes: [`[buildBase] ${image} is built on ${base}, allowed by allowedBases ${JSON.stringify(finding.allowedBy)}`] };
      }

      const what = finding.base ?? (finding.ecosystem ? `a ${finding.ecosystem} build image` : 'a build image');
      const fix = finding.remediation ?? DEFAULT_FIX;
      return {
        buildBase: finding,
        violation: {
          rule: 'buildBase',
          mode,
          message: `[buildBase] ${image} is built on ${what}; ${fix}`,
          evidence: finding.evidence,
        },
      };
    },
  };
}

export const buildBaseRule: Rule = createBuildBaseRule();
