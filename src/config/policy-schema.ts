// The ImagePolicy file (apiVersion slimguard.io/v1alpha1) as a zod schema. Objects are strict, so
// a misspelt key is an error rather than a silently ignored setting; every omitted field takes the
// value of the embedded default policy (default-policy.ts), so a file only says what it changes.
import { z } from 'zod';
import { normalizePlatform, parsePlatform } from '../oci/platform.js';
import { ECOSYSTEMS } from '../policy/build-base/types.js';
import { InvalidQuantityError } from '../policy/errors.js';
import type { Exemption, Policy, SizeBudgetOverride } from '../policy/policy.js';
import { parseQuantityWithUnits, type Quantity } from '../policy/quantity.js';
import { MODES, RULE_IDS } from '../policy/types.js';

export const API_VERSION = 'slimguard.io/v1alpha1';
export const KIND = 'ImagePolicy';

/** Defaults shared by the schema and the embedded default policy. */
export const DEFAULTS = {
  mode: 'warn',
  onRegistryError: 'allow',
  platforms: ['linux/amd64'],
  exemptionWarningDays: 14,
  maxCompressedSize: '500Mi',
  warnAtPercent: 80,
} as const;

const nonEmptyString = z.string().min(1, { error: 'must not be empty' });
const globList = z.array(nonEmptyString).min(1, { error: 'must list at least one glob' });
const mode = z.enum(MODES);

/** Bytes as an integer, or a quantity string (300Mi, 1.5Gi, 500M). Must be more than zero. */
const quantity = z.unknown().transform((input, context): Quantity => {
  if (typeof input !== 'number' && typeof input !== 'string') {
    context.addIssue({ code: 'custom', message: `expected a size such as 300Mi or a byte count, got ${describeType(input)}` });
    return z.NEVER;
  }
  try {
    const parsed = parseQuantityWithUnits(input);
    if (parsed.bytes === 0) {
      context.addIssue({ code: 'custom', message: 'must be more than zero' });
      return z.NEVER;
    }
    return parsed;
  } catch (error) {
    if (!(error instanceof InvalidQuantityError)) throw error;
    context.addIssue({ code: 'custom', message: error.message });
    return z.NEVER;
  }
});

const warnAtPercent = z
  .number({ error: (issue) => `expected a percentage (1-100), got ${describeType(issue.input)}` })
  .int({ error: 'must be a whole percentage' })
  .min(1, { error: 'must be between 1 and 100' })
  .max(100, { error: 'must be between 1 and 100' });

const platform = z.string().transform((text, context) => {
  try {
    return normalizePlatform(parsePlatform(text));
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * 'YYYY-MM-DD' (the exemption holds through that whole day, UTC: it ends at the next midnight)
 * or an RFC 3339 instant (it ends exactly then).
 */
const expiry = z.string().transform((text, context): Date => {
  const date = DATE_ONLY.exec(text);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const start = new Date(Date.UTC(year, month - 1, day));
    if (start.getUTCFullYear() === year && start.getUTCMonth() === month - 1 && start.getUTCDate() === day) {
      return new Date(Date.UTC(year, month - 1, day + 1));
    }
  } else if (RFC3339.test(text)) {
    const instant = new Date(text);
    if (!Number.isNaN(instant.getTime())) return instant;
  }
  context.addIssue({ code: 'custom', message: `${JSON.stringify(text)} is not a date; expected YYYY-MM-DD or RFC 3339 (2025-06-30T12:00:00Z)` });
  return z.NEVER;
});

/** A regular expression source; checked here so a bad pattern fails at load, not on every admission. */
const pattern = nonEmptyString.superRefine((source, context) => {
  try {
    new RegExp(source);
  } catch (error) {
    context.addIssue({ code: 'custom', message: `invalid regular expression: ${error instanceof Error ? error.message : String(error)}` });
  }
});

const labelSelectorRequirement = z
  .strictObject({
    key: nonEmptyString,
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: z.array(z.string()).optional(),
  })
  .superRefine((requirement, context) => {
    const count = requirement.values?.length ?? 0;
    if ((requirement.operator === 'In' || requirement.operator === 'NotIn') && count === 0) {
      context.addIssue({ code: 'custom', path: ['values'], message: `must not be empty for operator ${requirement.operator}` });
    }
    if ((requirement.operator === 'Exists' || requirement.operator === 'DoesNotExist') && count > 0) {
      context.addIssue({ code: 'custom', path: ['values'], message: `must be empty for operator ${requirement.operator}` });
    }
  });

const labelSelector = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z.array(labelSelectorRequirement).optional(),
});

const sizeBudgetOverride = z
  .strictObject({
    namespaces: globList.optional(),
    selector: labelSelector.optional(),
    maxCompressedSize: quantity,
    warnAtPercent: warnAtPercent.optional(),
  })
  .superRefine((override, context) => {
    if (override.namespaces === undefined && override.selector === undefined) {
      context.addIssue({ code: 'custom', message: 'an override needs namespaces or selector (or both) to say where it applies' });
    }
  })
  .transform((override): SizeBudgetOverride => {
    const result: SizeBudgetOverride = { maxCompressedSizeBytes: override.maxCompressedSize.bytes, units: override.maxCompressedSize.units };
    if (override.namespaces) result.namespaces = override.namespaces;
    if (override.selector) result.selector = override.selector;
    if (override.warnAtPercent !== undefined) result.warnAtPercent = override.warnAtPercent;
    return result;
  });

/** Mirrors build-base's BuildBaseSignature. */
const buildBaseSignature = z
  .strictObject({
    name: nonEmptyString,
    ecosystem: z.enum(ECOSYSTEMS),
    env: z.array(pattern).optional(),
    history: z.array(pattern).optional(),
    remediation: nonEmptyString.optional(),
  })
  .superRefine((signature, context) => {
    if ((signature.env?.length ?? 0) + (signature.history?.length ?? 0) === 0) {
      context.addIssue({ code: 'custom', message: 'a signature needs at least one env or history pattern' });
    }
  });

const buildBaseCatalogEntry = z.strictObject({ reference: nonEmptyString, ecosystem: z.enum(ECOSYSTEMS) });

const rules = z.strictObject({
  runAsRoot: z.strictObject({ mode: mode.optional() }).prefault({}),
  sizeBudget: z
    .strictObject({
      mode: mode.optional(),
      maxCompressedSize: quantity.prefault(DEFAULTS.maxCompressedSize),
      warnAtPercent: warnAtPercent.default(DEFAULTS.warnAtPercent),
      overrides: z.array(sizeBudgetOverride).default([]),
    })
    .prefault({}),
  buildBase: z
    .strictObject({
      mode: mode.optional(),
      extraSignatures: z.array(buildBaseSignature).default([]),
      allowedBases: z.array(nonEmptyString).default([]),
      catalog: z.array(buildBaseCatalogEntry).default([]),
    })
    .prefault({}),
});

const exemption = z
  .strictObject({
    images: globList.optional(),
    namespaces: globList.optional(),
    rules: z.array(z.enum(RULE_IDS)).min(1, { error: 'must list at least one rule (omit it to exempt all rules)' }).optional(),
    expires: z.string().optional(),
    reason: nonEmptyString,
  })
  .superRefine((entry, context) => {
    if (entry.images === undefined && entry.namespaces === undefined) {
      context.addIssue({ code: 'custom', message: 'an exemption needs images or namespaces (or both); one that matches everything would switch slimguard off' });
    }
    if (entry.expires !== undefined) {
      const parsed = expiry.safeParse(entry.expires);
      if (!parsed.success) context.addIssue({ code: 'custom', path: ['expires'], message: parsed.error.issues[0]?.message ?? 'invalid date' });
    }
  })
  .transform((entry): Exemption => {
    const result: Exemption = { reason: entry.reason };
    if (entry.images) result.images = entry.images;
    if (entry.namespaces) result.namespaces = entry.namespaces;
    if (entry.rules) result.rules = [...new Set(entry.rules)];
    if (entry.expires !== undefined) {
      result.expires = entry.expires;
      result.expiresAt = expiry.parse(entry.expires);
    }
    return result;
  });

const spec = z.strictObject({
  mode: mode.default(DEFAULTS.mode),
  onRegistryError: z.enum(['allow', 'deny']).default(DEFAULTS.onRegistryError),
  platforms: z
    .array(platform)
    .min(1, { error: 'must list at least one platform' })
    .prefault([...DEFAULTS.platforms]),
  exemptionWarningDays: z
    .number({ error: (issue) => `expected a number of days, got ${describeType(issue.input)}` })
    .int({ error: 'must be a whole number of days' })
    .min(0, { error: 'must not be negative' })
    .default(DEFAULTS.exemptionWarningDays),
  rules: rules.prefault({}),
  exemptions: z.array(exemption).default([]),
});

export const policySchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    metadata: z.strictObject({
      name: nonEmptyString,
      labels: z.record(z.string(), z.string()).optional(),
      annotations: z.record(z.string(), z.string()).optional(),
    }),
    spec: spec.prefault({}),
  })
  .transform(
    (document): Policy => ({
      name: document.metadata.name,
      mode: document.spec.mode,
      onRegistryError: document.spec.onRegistryError,
      platforms: document.spec.platforms,
      exemptionWarningDays: document.spec.exemptionWarningDays,
      rules: {
        runAsRoot: withMode({}, document.spec.rules.runAsRoot.mode),
        sizeBudget: withMode(
          {
            maxCompressedSizeBytes: document.spec.rules.sizeBudget.maxCompressedSize.bytes,
            units: document.spec.rules.sizeBudget.maxCompressedSize.units,
            warnAtPercent: document.spec.rules.sizeBudget.warnAtPercent,
            overrides: document.spec.rules.sizeBudget.overrides,
          },
          document.spec.rules.sizeBudget.mode,
        ),
        buildBase: withMode(
          {
            extraSignatures: document.spec.rules.buildBase.extraSignatures,
            allowedBases: document.spec.rules.buildBase.allowedBases,
            catalog: document.spec.rules.buildBase.catalog,
          },
          document.spec.rules.buildBase.mode,
        ),
      },
      exemptions: document.spec.exemptions,
    }),
  );

function withMode<T extends object>(settings: T, ruleMode: Policy['mode'] | undefined): T & { mode?: Policy['mode'] } {
  return ruleMode === undefined ? settings : { ...settings, mode: ruleMode };
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
  return `${typeof value === 'number' ? 'a number' : typeof value === 'boolean' ? 'a boolean' : typeof value} (${String(value)})`;
}
