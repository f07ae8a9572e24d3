import type { Platform } from '../oci/types.js';
import type { BuildBaseFacts, BuildBaseFinding } from './build-base/types.js';

/** Rule IDs are a contract: policy keys, the `rule` metric label and the message prefix. */
export const RULE_IDS = ['runAsRoot', 'sizeBudget', 'buildBase'] as const;
export type RuleId = (typeof RULE_IDS)[number];

/** Modes are a contract: enforce denies, warn allows with a warning, audit records only. */
export const MODES = ['enforce', 'warn', 'audit', 'off'] as const;
export type Mode = (typeof MODES)[number];

export type Decision = 'allow' | 'warn' | 'deny';

/** One independent observation that supports a finding, shown to the user as proof. */
export interface Evidence {
  /** Short machine-readable name of the signal, e.g. "config.user", "history", "annotation", "env". */
  signal: string;
  /** Human-readable detail, e.g. 'ENV GOLANG_VERSION=1.22.5'. */
  detail: string;
}

export interface Violation {
  rule: RuleId;
  mode: Exclude<Mode, 'off'>;
  /** Starts with `[rule]`, names the image, says the fix. */
  message: string;
  evidence: Evidence[];
}

/** Kubernetes securityContext fields the runAsRoot rule reads (pod level or container level). */
export interface SecurityContextFacts {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  windowsOptions?: { runAsUserName?: string; hostProcess?: boolean };
}

/** Where the image is about to run. Everything is optional: the CLI judges images with no pod. */
export interface ContainerContext {
  namespace?: string;
  namespaceLabels?: Record<string, string>;
  /** Labels of the workload (pod template labels for controllers). */
  workloadLabels?: Record<string, string>;
  containerName?: string;
  podSecurityContext?: SecurityContextFacts;
  containerSecurityContext?: SecurityContextFacts;
}

export interface Verdict {
  image: string;
  digest: string;
  platform: Platform;
  decision: Decision;
  violations: Violation[];
  /** Things the user should know that are not violations (rule skipped for Windows, exemption expiring). */
  notes: string[];
  /** What build-base detection found (JSON output facts.buildBase); absent when buildBase is off. */
  buildBase?: BuildBaseFinding;
}

/**
 * The parts of an image's facts (image-facts ImageFacts) the rules read, declared structurally so
 * this pure module imports nothing from image-facts; an ImageFacts value is accepted as is.
 */
export interface PolicyFacts extends BuildBaseFacts {
  /** Normalized reference (docker.io/library/nginx:1.27). */
  reference: string;
  /** Digest of the judged platform manifest. */
  digest: string;
  platform: Platform;
  /** Config User exactly as written ("" means root). */
  user: string;
  /** Layers of the judged platform manifest, base first. */
  layers: readonly { digest: string; size: number }[];
  /** Sum of the compressed layer sizes. */
  compressedSizeBytes: number;
}
