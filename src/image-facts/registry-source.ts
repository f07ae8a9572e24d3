import { InvalidReferenceError } from '../reference/errors.js';
import { parseReference, type Reference } from '../reference/index.js';
import type { Keychain } from '../registry/keychain.js';
import type { RegistryClient } from '../registry/registry-client.js';
import type { ContentReader } from './content-reader.js';
import { ImageFactsError } from './errors.js';
import type { FactsRequest, ImageSource, ProvenanceRequest } from './image-source.js';
import { readImageFacts, readProvenance } from './read-image-facts.js';

/** Facts straight from registries, no caching (see caching-source.ts for that). */
export interface RegistryImageSource extends ImageSource {
  /** Current digest of a tag (one HEAD), so cached facts can be revalidated cheaply. */
  resolveTag(reference: string, options: { signal: AbortSignal; keychain?: Keychain }): Promise<string>;
}

export function createRegistryImageSource(options: { client: RegistryClient; defaultTimeoutMs?: number }): RegistryImageSource {
  const { client } = options;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;

  function readerFor(ref: Reference, keychain: Keychain | undefined, deadline: number | undefined): ContentReader {
    const location = { registry: ref.domain, repository: ref.path, image: ref.familiarString() };
    return {
      registry: ref.domain,
      repository: ref.path,
      readManifest: (tagOrDigest, signal) => client.getManifest(location, tagOrDigest, { signal, deadline, keychain }),
      readBlob: (digest, maxBytes, signal) => client.getBlob(location, digest, maxBytes, { signal, deadline, keychain }),
    };
  }

  return {
    async getFacts(request: FactsRequest) {
      const ref = parse(request.reference);
      const signal = request.signal ?? AbortSignal.timeout(defaultTimeoutMs);
      return readImageFacts({
        reader: readerFor(ref, request.keychain, request.deadline),
        reference: ref.toString(),
        // Docker pulls by digest when both are given; so do we.
        tagOrDigest: ref.digest ?? ref.tag ?? 'latest',
        platform: request.platform,
        signal,
      });
    },

    async getProvenance(request: ProvenanceRequest) {
      const ref = parse(request.facts.reference);
      const signal = request.signal ?? AbortSignal.timeout(defaultTimeoutMs);
      return readProvenance(readerFor(ref, request.keychain, request.deadline), request.facts, signal);
    },

    async resolveTag(reference, call) {
      const ref = parse(reference);
      const location = { registry: ref.domain, repository: ref.path, image: ref.familiarString() };
      return client.resolveTag(location, ref.tag ?? 'latest', call);
    },
  };
}

function parse(text: string): Reference {
  try {
    return parseReference(text);
  } catch (error) {
    if (error instanceof InvalidReferenceError) {
      throw new ImageFactsError({ code: 'INVALID_REFERENCE', image: text, message: error.message, cause: error });
    }
    throw error;
  }
}
