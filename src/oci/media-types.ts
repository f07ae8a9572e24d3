// Media types of the OCI image spec (media-types.md) and of Docker's image manifest v2 schema 2.

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
export const OCI_LAYER_TAR = 'application/vnd.oci.image.layer.v1.tar';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_LAYER_ZSTD = 'application/vnd.oci.image.layer.v1.tar+zstd';
/** Deprecated by the spec but still found on Windows base images. */
export const OCI_LAYER_NONDISTRIBUTABLE_TAR = 'application/vnd.oci.image.layer.nondistributable.v1.tar';
export const OCI_LAYER_NONDISTRIBUTABLE_GZIP = 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip';
export const OCI_LAYER_NONDISTRIBUTABLE_ZSTD = 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd';

export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
export const DOCKER_LAYER_GZIP = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
/** Windows base layers that registries may not redistribute ("foreign" layers, fetched from urls). */
export const DOCKER_FOREIGN_LAYER_GZIP = 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip';
export const DOCKER_PLUGIN_CONFIG = 'application/vnd.docker.plugin.v1+json';

/** Docker image manifest v2 schema 1: deprecated, never requested, always rejected. */
export const DOCKER_SCHEMA1_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+json';
export const DOCKER_SCHEMA1_SIGNED_MANIFEST = 'application/vnd.docker.distribution.manifest.v1+prettyjws';

/** in-toto attestation blob, as BuildKit stores provenance and SBOMs in attestation manifests. */
export const IN_TOTO = 'application/vnd.in-toto+json';

/**
 * The Accept header value for manifest requests. Indexes come first so that a multi-platform tag
 * answers with its index rather than a registry-chosen platform. Schema 1 is deliberately absent:
 * a registry that only has schema 1 then answers 404/406 or schema 1 anyway, which parseManifest rejects.
 */
export const MANIFEST_ACCEPT: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST];

const INDEX_TYPES: ReadonlySet<string> = new Set([OCI_INDEX, DOCKER_MANIFEST_LIST]);
const MANIFEST_TYPES: ReadonlySet<string> = new Set([OCI_MANIFEST, DOCKER_MANIFEST]);
const SCHEMA1_TYPES: ReadonlySet<string> = new Set([DOCKER_SCHEMA1_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST]);

/** A multi-platform index: OCI image index or Docker manifest list. */
export function isIndexMediaType(mediaType: string): boolean {
  return INDEX_TYPES.has(mediaType);
}

/** A single-platform image manifest: OCI image manifest or Docker schema 2 manifest. */
export function isManifestMediaType(mediaType: string): boolean {
  return MANIFEST_TYPES.has(mediaType);
}

export function isSchema1MediaType(mediaType: string): boolean {
  return SCHEMA1_TYPES.has(mediaType);
}

/**
 * The bare media type of a Content-Type header: parameters dropped, lower-cased, trimmed
 * ("application/vnd.oci.image.index.v1+json; charset=utf-8" -> "application/vnd.oci.image.index.v1+json").
 */
export function bareMediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  const bare = semicolon === -1 ? contentType : contentType.slice(0, semicolon);
  return bare.trim().toLowerCase();
}
