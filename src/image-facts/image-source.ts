import type { Platform } from '../oci/types.js';
import type { Keychain } from '../registry/keychain.js';
import type { ImageFacts } from './image-facts.js';

export interface FactsRequest {
  /** A registry reference (nginx:1.27, ghcr.io/o/r@sha256:...) or oci:DIR[:REF]. */
  reference: string;
  /** Platform to judge when the reference names an index. Default linux/amd64. */
  platform?: Platform;
  /** Aborts the lookup (the caller's deadline). Without one, the source applies its own timeout. */
  signal?: AbortSignal;
  /** Epoch ms after which no retry is started, so retries never run into the deadline. */
  deadline?: number;
  /** Extra credentials for this lookup only (a pod's pull secrets), tried before the source's own. */
  keychain?: Keychain;
}

export interface ProvenanceRequest {
  facts: ImageFacts;
  signal?: AbortSignal;
  deadline?: number;
  keychain?: Keychain;
}

/** The port through which everything else reads images: a reference in, facts out. */
export interface ImageSource {
  getFacts(request: FactsRequest): Promise<ImageFacts>;
  /**
   * The facts getFacts would answer at once from memory (a cache hit needing no registry
   * request), synchronously; undefined for anything else (a miss, a tag due for revalidation, a
   * negative entry), which the caller then asks getFacts for. Lets a fully warm review run
   * without a promise, a timer or an abort signal. Optional: sources without a cache omit it.
   */
  peekFacts?(request: FactsRequest): ImageFacts | undefined;
  /**
   * Reads the BuildKit provenance attestation of facts that have one. It costs two more
   * requests, so callers ask only when a finding needs its support.
   */
  getProvenance(request: ProvenanceRequest): Promise<ImageFacts['provenance']>;
}
