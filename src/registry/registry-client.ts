import { MANIFEST_ACCEPT } from '../oci/media-types.js';
import { computeDigest, verifyDigest } from './digest.js';
import { RegistryError } from './errors.js';
import type { Keychain } from './keychain.js';
import { MAX_MANIFEST_BYTES } from './limits.js';
import type { Transport } from './transport.js';

/** Where an image lives: the parts of a parsed reference the client needs. */
export interface RepositoryLocation {
  registry: string;
  repository: string;
  /** As the user wrote it, for messages. */
  image: string;
}

export interface CallOptions {
  signal: AbortSignal;
  deadline?: number;
  keychain?: Keychain;
}

export interface FetchedManifest {
  bytes: Uint8Array;
  /** The verified digest of `bytes`. */
  digest: string;
  /** Content-Type as the registry sent it (the body's mediaType field decides in parseManifest). */
  contentType?: string;
}

export interface RegistryClient {
  /** GET a manifest or index by tag or digest; the body is always digest-verified. */
  getManifest(location: RepositoryLocation, tagOrDigest: string, options: CallOptions): Promise<FetchedManifest>;
  /** HEAD a tag: its current digest, for cheap revalidation of cached facts. */
  resolveTag(location: RepositoryLocation, tag: string, options: CallOptions): Promise<string>;
  /** GET a small blob (config, attestation) by digest, capped and digest-verified. */
  getBlob(location: RepositoryLocation, digest: string, maxBytes: number, options: CallOptions): Promise<Uint8Array>;
}

export function createRegistryClient(options: { transport: Transport }): RegistryClient {
  const { transport } = options;
  const accept = MANIFEST_ACCEPT.join(', ');

  return {
    async getManifest(location, tagOrDigest, call) {
      const byDigest = tagOrDigest.includes(':');
      const response = await transport.fetch({
        ...location,
        ...call,
        path: `/v2/${location.repository}/manifests/${tagOrDigest}`,
        method: 'GET',
        accept,
        maxBytes: MAX_MANIFEST_BYTES,
        what: 'manifest',
      });
      const announced = single(response.headers['docker-content-digest']);
      const context = { registry: location.registry, image: location.image, what: 'manifest' };
      let digest: string;
      if (byDigest) {
        verifyDigest(response.body, tagOrDigest, context);
        digest = tagOrDigest;
      } else if (announced) {
        // By tag the registry's header is the only claim to check the body against.
        verifyDigest(response.body, announced, context);
        digest = announced;
      } else {
        digest = computeDigest(response.body);
      }
      return { bytes: response.body, digest, contentType: single(response.headers['content-type']) };
    },

    async resolveTag(location, tag, call) {
      const response = await transport.fetch({
        ...location,
        ...call,
        path: `/v2/${location.repository}/manifests/${tag}`,
        method: 'HEAD',
        accept,
        maxBytes: 0,
        what: 'manifest',
      });
      const digest = single(response.headers['docker-content-digest']);
      if (!digest) {
        throw new RegistryError({
          code: 'BAD_RESPONSE',
          registry: location.registry,
          image: location.image,
          temporary: false,
          what: 'the registry sent no Docker-Content-Digest for the tag',
        });
      }
      return digest;
    },

    async getBlob(location, digest, maxBytes, call) {
      const what = `blob ${digest.slice(0, 19)}…`;
      const response = await transport.fetch({
        ...location,
        ...call,
        path: `/v2/${location.repository}/blobs/${digest}`,
        method: 'GET',
        maxBytes,
        what,
      });
      verifyDigest(response.body, digest, { registry: location.registry, image: location.image, what });
      return response.body;
    },
  };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
