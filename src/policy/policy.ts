import type { Platform } from '../oci/types.js';
import type { BuildBaseSignature, Ecosystem } from './build-base/types.js';
import type { LabelSelector } from './label-selector.js';
import type { Mode, RuleId } from './types.js';

/**
 * The policy as the engine reads it: validated, defaults filled in, quantities in bytes.
 * src/config turns the YAML file (apiVersion slimguard.io/v1alpha1, kind ImagePolicy) into this;
 * the engine never sees YAML or zod, so it stays pure and easy to build by hand in tests.
 */
export interface Policy {
  /** metadata.name, shown in notes and logs. */
  name: string;
  /** spec.mode: the mode of every rule that does not set its own. */
  mode: Mode;
  /** spec.onRegistryError: what the webhook answers when an image cannot be read. */
  onRegistryError: 'allow' | 'deny';
  /** spec.platforms: the platforms judged when an image is an index (first is the default). */
  platforms: Platform[];
  /** spec.exemptionWarningDays: how long before expiry an exemption starts to warn. */
  exemptionWarningDays: number;
  rules: {
    runAsRoot: RunAsRootPolicy;
    sizeBudget: SizeBudgetPolicy;
    buildBase: BuildBasePolicy;
  };
  exemptions: Exemption[];
}

export interface RulePolicy {
  /** Unset means spec.mode. */
  mode?: Mode;
}

export type RunAsRootPolicy = RulePolicy;

/** Binary (Ki, Mi, Gi: 1024-based) or decimal (K, M, G: 1000-based), so messages use the user's units. */
export type UnitSystem = 'binary' | 'decimal';

export interface SizeBudget {
  /** Budget for the compressed size of the judged platform, in bytes. */
  maxCompressedSizeBytes: number;
  /** The units the budget was written in; messages follow them. */
  units: UnitSystem;
  /** Warn (never deny) once an image reaches this percentage of its budget. Unset: no warn band. */
  warnAtPercent?: number;
}

/**
 * A budget for some workloads. It applies when every given condition matches (namespaces AND
 * selector); the first matching override in file order wins, so put specific ones first.
 */
export interface SizeBudgetOverride extends Partial<Pick<SizeBudget, 'warnAtPercent'>> {
  /** Namespace name globs; any may match. Never matches when there is no namespace (CLI). */
  namespaces?: string[];
  /** Workload label selector; never matches when there is no workload (CLI). */
  selector?: LabelSelector;
  maxCompressedSizeBytes: number;
  units: UnitSystem;
}

export interface SizeBudgetPolicy extends RulePolicy, SizeBudget {
  overrides: SizeBudgetOverride[];
}

export interface BuildBasePolicy extends RulePolicy {
  /** More fingerprints, handed to detectBuildBase with the built-in ones. */
  extraSignatures: BuildBaseSignature[];
  /** Bases that are fine even though they look like build bases (globs over base names and references). */
  allowedBases: string[];
  /**
   * Build-base images to recognise by layer prefix. Resolving them needs the registry, so the edge
   * resolves these and passes the result to evaluate() as buildBaseCatalog.
   */
  catalog: BuildBaseCatalogEntry[];
}

/** A build-base image named in the policy, before the edge resolves its layers. */
export interface BuildBaseCatalogEntry {
  /** "golang:1.22", "registry.acme/sdk/java:21". */
  reference: string;
  ecosystem: Ecosystem;
}

export interface Exemption {
  /** Image globs (normalized or familiar form); unset means any image. */
  images?: string[];
  /** Namespace globs; unset means any namespace. */
  namespaces?: string[];
  /** Rules exempted; unset means all. */
  rules?: RuleId[];
  /** Instant after which the exemption no longer applies. Unset: never expires. */
  expiresAt?: Date;
  /** The expiry as written, for messages. */
  expires?: string;
  reason: string;
}
