import type { HistoryEntry, Platform } from '../oci/types.js';

/** One layer of the judged platform manifest, in manifest order (base first). */
export interface LayerFact {
  digest: string;
  size: number;
  mediaType: string;
  /** The uncompressed digest from the config's rootfs.diff_ids, same index. */
  diffId?: string;
}

/** One image named in a BuildKit provenance attestation (SLSA materials). */
export interface ProvenanceMaterial {
  uri: string;
  digest: Record<string, string>;
}

/**
 * Everything slimguard knows about one platform of one image. It is plain data
 * (JSON-serialisable, no methods) so it can be cached, measured in bytes and
 * handed to the pure policy engine.
 */
export interface ImageFacts {
  /** The reference as the user wrote it, normalized (docker.io/library/nginx:1.27). */
  reference: string;
  /** Registry host the facts came from (docker.io, ghcr.io, localhost:5000), or "oci-layout". */
  registry: string;
  /** Repository path without the registry (library/nginx). */
  repository: string;
  /** Digest of the single-platform manifest that was judged. */
  digest: string;
  /** Digest of the index the platform manifest was chosen from, when there was one. */
  indexDigest?: string;
  /** Media type of the judged platform manifest. */
  mediaType: string;
  platform: Platform;
  /** Config User exactly as written in the image ("" means root). */
  user: string;
  env: string[];
  labels: Record<string, string>;
  /** Annotations of the platform manifest merged over those of the index (manifest wins). */
  annotations: Record<string, string>;
  history: HistoryEntry[];
  layers: LayerFact[];
  diffIds: string[];
  /** Sum of the layer sizes as the registry stores them. */
  compressedSizeBytes: number;
  created?: string;
  /** The platforms the index offers (attestations excluded); absent for a single-platform image. */
  availablePlatforms?: Platform[];
  /** Present when the index carries a BuildKit attestation manifest for this platform. */
  attestation?: { digest: string; mediaType: string; size: number };
  /** Filled only when provenance was read (it costs extra requests, so it is on demand). */
  provenance?: { predicateType: string; materials: ProvenanceMaterial[] };
}
