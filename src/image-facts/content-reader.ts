/**
 * Reads manifests and blobs of one repository, wherever it lives (a registry, an OCI layout
 * on disk). Every answer is digest-verified by the reader, so facts built on it can be trusted.
 */
export interface ContentReader {
  /** Where the content comes from, for facts and messages: a registry host or "oci-layout". */
  readonly registry: string;
  readonly repository: string;
  readManifest(tagOrDigest: string, signal: AbortSignal): Promise<{ bytes: Uint8Array; digest: string; contentType?: string }>;
  readBlob(digest: string, maxBytes: number, signal: AbortSignal): Promise<Uint8Array>;
}
