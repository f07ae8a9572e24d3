// Build-base detection: does the final image ship an SDK/compiler base (golang, maven, a JDK,
// node/python/ruby full Debian, buildpack-deps, gcc) instead of a slim runtime base?
export { detectBuildBase, BASE_NAME_KEY, BASE_DIGEST_KEY } from './detect-build-base.js';
export { classifyBaseName, type BaseClassification, type BaseKind } from './base-names.js';
export { signatureProblems } from './extra-signatures.js';
export { analyzeHistory, type HistoryAnalysis, type ToolInstall, type RemovedToolInstall } from './history-analysis.js';
export { parseHistoryStep, type HistoryStep } from './history-step.js';
export { matchCatalog, type CatalogMatch } from './layer-prefix.js';
export { remediationFor, REMEDIATION_LIMIT, type Remediation } from './remediation.js';
export { BUILT_IN_SIGNATURES, BUILD_TOOL_PACKAGES } from './signatures.js';
export {
  ECOSYSTEMS,
  type BuildBaseFacts,
  type BuildBaseFinding,
  type BuildBaseOptions,
  type BuildBaseSignature,
  type Ecosystem,
  type ResolvedCatalogEntry,
} from './types.js';
