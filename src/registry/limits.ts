// Size caps for everything slimguard reads from a registry. Image references come from
// untrusted pod specs, so a hostile registry must not be able to make us buffer gigabytes.
// Each cap is far above what real images use and far below what would hurt the webhook.

/** Manifests and indexes: distribution itself refuses to store manifests over 4 MiB. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Image configs: a config with a thousand history lines is ~300 KiB; 8 MiB is generous. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/** In-toto provenance statements (BuildKit mode=max can be large with many materials). */
export const MAX_ATTESTATION_BYTES = 8 * 1024 * 1024;

/** Token server answers: a JWT is a few KiB. */
export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

/** Error bodies: read only enough to show the registry's error codes. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** Redirects followed for one request (blob downloads are usually redirected once to storage). */
export const MAX_REDIRECTS = 3;
