// Public API of the pure OCI module: media types, validation of manifests, indexes, configs and
// provenance, platform choice. No I/O: callers fetch bytes and hash them.
export type { Descriptor, HistoryEntry, ImageConfig, ImageIndex, ImageManifest, Manifest, Platform } from './types.js';
export { OciFormatError, type OciFormatErrorCode } from './errors.js';
export * from './media-types.js';
export { isDigest, parseDigest, type DigestAlgorithm, type ParsedDigest } from './digest.js';
export { parseManifest } from './parse-manifest.js';
export { parseImageConfig } from './parse-image-config.js';
export { nonEmptyLayerHistory, type LayerHistory } from './layer-history.js';
export {
  choosePlatformManifest,
  formatPlatform,
  listPlatforms,
  normalizePlatform,
  parsePlatform,
  platformMatches,
} from './platform.js';
export {
  ATTESTATION_MANIFEST_REFERENCE_TYPE,
  findAttestationFor,
  isAttestationDescriptor,
  REFERENCE_DIGEST_ANNOTATION,
  REFERENCE_TYPE_ANNOTATION,
} from './attestation.js';
export {
  findProvenanceLayer,
  imageFromMaterialUri,
  IN_TOTO_STATEMENT_V01,
  IN_TOTO_STATEMENT_V1,
  parseProvenanceStatement,
  platformFromMaterialUri,
  PREDICATE_TYPE_ANNOTATION,
  SLSA_PROVENANCE_V01,
  SLSA_PROVENANCE_V02,
  SLSA_PROVENANCE_V1,
  type ProvenanceMaterial,
  type ProvenanceStatement,
} from './provenance.js';
