import type { HistoryEntry } from '../../oci/types.js';
import type { Evidence } from '../types.js';

/**
 * The language/toolchain family of a build base. Plain strings so the policy file schema (zod) can
 * list them; `c` covers gcc/g++/clang and the buildpack-deps family that exists to compile C.
 */
export const ECOSYSTEMS = ['go', 'rust', 'java', 'node', 'python', 'ruby', 'dotnet', 'c', 'other'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

/**
 * A user-defined fingerprint of a build base, as written in the policy file (JSON-friendly: the
 * config schema mirrors it with zod). It matches when every `env` pattern matches at least one
 * `KEY=value` line of the image's Env and every `history` pattern matches at least one history
 * `created_by` line; a signature must name at least one pattern.
 */
export interface BuildBaseSignature {
  /** Shown as the base in findings, e.g. "acme/java-builder". */
  name: string;
  ecosystem: Ecosystem;
  /** Regular expression sources tested against each `KEY=value` line of the config Env. */
  env?: string[];
  /** Regular expression sources tested against each history `created_by` line. */
  history?: string[];
  /** One-line fix shown with the finding; the ecosystem's default otherwise. */
  remediation?: string;
}

/** A build-base image the edge resolved through the registry, for the layer-prefix signal. */
export interface ResolvedCatalogEntry {
  /** The reference the catalog names, e.g. "golang:1.22" or "registry.acme/sdk/java:21". */
  reference: string;
  ecosystem: Ecosystem;
  /** rootfs.diff_ids of the resolved image, base first. */
  diffIds: string[];
  /** Compressed layer digests of the resolved platform manifest, base first. */
  layerDigests: string[];
}

export interface BuildBaseOptions {
  /** More fingerprints, checked with the built-in ones. */
  extraSignatures?: BuildBaseSignature[];
  /** Globs over base names and references (`*` one path segment, `**` any); a match suppresses the finding. */
  allowedBases?: string[];
  /** Build-base images resolved by the edge; an image whose layers start with all of one is built on it. */
  catalog?: ResolvedCatalogEntry[];
}

export interface BuildBaseFinding {
  /**
   * True when the final image ships a build base. False when nothing says so, and also when the
   * base is exempted by `allowedBases` (then `allowedBy` names the glob and `base` what it matched).
   */
  detected: boolean;
  ecosystem?: Ecosystem;
  /** The build base recognised, e.g. "golang:1.22", "maven (JDK)", "buildpack-deps:bookworm". */
  base?: string;
  /** Every signal considered, positive or explaining why something was not counted. */
  evidence: Evidence[];
  /** One line (under ~160 characters): the two-stage fix. */
  remediation?: string;
  /** The same fix as a short Dockerfile, for JSON output and docs. */
  recipe?: string;
  /**
   * Set when the image carries provenance and a finding was made: true when a material of the
   * provenance is the build base found, false when none is. Provenance never creates a finding.
   */
  supportedByProvenance?: boolean;
  /** The `allowedBases` glob that exempted the base. */
  allowedBy?: string;
}

/**
 * The parts of ImageFacts that detection reads. Declared here, structurally, so this pure module
 * does not import from image-facts (an edge module); an ImageFacts value is accepted as is.
 */
export interface BuildBaseFacts {
  reference: string;
  env: string[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  history: HistoryEntry[];
  layers: readonly { digest: string }[];
  diffIds: string[];
  provenance?: { predicateType: string; materials: readonly { uri: string; digest: Record<string, string> }[] };
}
