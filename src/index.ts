// The public library API of slimguard (package.json `exports`). The CLI and the webhook are
// built from these same pieces.
export {
  InvalidReferenceError,
  parseReference,
  withDefaultTag,
  type Reference,
} from './reference/index.js';
export type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Manifest, Platform } from './oci/types.js';
export { formatPlatform, parsePlatform } from './oci/platform.js';
export type { ImageFacts, LayerFact, ProvenanceMaterial } from './image-facts/image-facts.js';
export type { FactsRequest, ImageSource, ProvenanceRequest } from './image-facts/image-source.js';
export { createImageSource, type ConfiguredImageSource, type ImageSourceOptions } from './image-facts/create-image-source.js';
export type { CacheStats } from './image-facts/caching-source.js';
export { ImageFactsError } from './image-facts/errors.js';
export { RegistryError } from './registry/errors.js';
export type { Credential, Keychain } from './registry/keychain.js';
export { createDockerConfigKeychain, loadDockerConfigKeychain } from './registry/docker-config-keychain.js';
export {
  evaluate,
  MODES,
  RULE_IDS,
  type ContainerContext,
  type Decision,
  type Evidence,
  type Mode,
  type Policy,
  type RuleId,
  type Verdict,
  type Violation,
} from './policy/index.js';
export { detectBuildBase } from './policy/build-base/index.js';
export { defaultPolicy, loadPolicyFile, parsePolicy, PolicyError } from './config/index.js';
export { judgeImage, type JudgeRequest, type Judgement } from './judge/judge-image.js';
