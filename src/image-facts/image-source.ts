import type { Platform } from '../oci/types.js';
import type { Keychain } from '../registry/keychain.js';
import type { ImageFacts } from './image-facts.js';

export interface FactsRequest {
  /** A registry reference (nginx:1.27, ghcr.io/o/r@sha256:...) or oci:DIR[:REF]. */
  reference: string;
  /** Platform to judge when the reference names an index. Default linux/amd64. */
  platform?: Platform;
  /** Deadline for the whole lookup, including retries. */
  signal?: AbortSignal;
  /** Extra credentials for this lookup only (a pod's pull secrets), tried before the source's own. */
  keychain?: Keychain;
}

/** The port through which everything else reads images: a reference in, facts out. */
export interface ImageSource {
  getFacts(request: FactsRequest): Promise<ImageFacts>;
}
