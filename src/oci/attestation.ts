// BuildKit stores attestations (provenance, SBOM) as extra manifests in the image index, each with
// platform unknown/unknown and annotations pointing at the image manifest they describe
// (docs.docker.com/build/metadata/attestations/attestation-storage).
import type { Descriptor, ImageIndex } from './types.js';

export const REFERENCE_TYPE_ANNOTATION = 'vnd.docker.reference.type';
export const REFERENCE_DIGEST_ANNOTATION = 'vnd.docker.reference.digest';
export const ATTESTATION_MANIFEST_REFERENCE_TYPE = 'attestation-manifest';

/** True for an index entry that is an attestation, not a runnable platform image. */
export function isAttestationDescriptor(descriptor: Descriptor): boolean {
  if (descriptor.annotations?.[REFERENCE_TYPE_ANNOTATION] === ATTESTATION_MANIFEST_REFERENCE_TYPE) return true;
  const platform = descriptor.platform;
  return platform !== undefined && platform.os === 'unknown' && platform.architecture === 'unknown';
}

/** The attestation manifest BuildKit attached to the image manifest `manifestDigest`, if any. */
export function findAttestationFor(index: ImageIndex, manifestDigest: string): Descriptor | undefined {
  return index.manifests.find(
    (descriptor) =>
      descriptor.annotations?.[REFERENCE_TYPE_ANNOTATION] === ATTESTATION_MANIFEST_REFERENCE_TYPE &&
      descriptor.annotations[REFERENCE_DIGEST_ANNOTATION] === manifestDigest,
  );
}
