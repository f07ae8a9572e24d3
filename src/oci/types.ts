// Shapes of the OCI image spec and Docker schema2 documents, after validation.
// Field names follow the specs so that a reader can check them against the JSON.

/** A content descriptor (OCI image-spec descriptor.md). */
export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
  artifactType?: string;
}

/** os/architecture[/variant] as in an index entry or an image config. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

/** A single-platform image manifest (OCI image manifest or Docker schema2 manifest). */
export interface ImageManifest {
  kind: 'manifest';
  schemaVersion: 2;
  mediaType: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** A multi-platform index (OCI image index or Docker manifest list). */
export interface ImageIndex {
  kind: 'index';
  schemaVersion: 2;
  mediaType: string;
  /** OCI 1.1: the type of artifact when the index is not a runnable image. */
  artifactType?: string;
  manifests: Descriptor[];
  /** OCI 1.1 referrers: the manifest this index refers to. */
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export type Manifest = ImageManifest | ImageIndex;

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image configuration (OCI config.md / Docker image JSON), the parts slimguard reads. */
export interface ImageConfig {
  architecture: string;
  os: string;
  variant?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  config: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[];
    Cmd?: string[];
    WorkingDir?: string;
    Labels?: Record<string, string>;
    ExposedPorts?: Record<string, unknown>;
    StopSignal?: string;
  };
  rootfs: { type: string; diff_ids: string[] };
  history: HistoryEntry[];
}
