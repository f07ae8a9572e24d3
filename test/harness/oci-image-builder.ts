// Builds test images in memory, byte-exact and deterministic, as OCI or Docker schema 2, so
// tests push real content to a real registry (or write an OCI layout) instead of mocking
// registry answers. Nothing here does I/O except writeOciLayout.
import { createCipheriv, createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as zlibConstants, gzipSync } from 'node:zlib';

export const MEDIA_TYPES = Object.freeze({
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerTar: 'application/vnd.oci.image.layer.v1.tar',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerLayerTar: 'application/vnd.docker.image.rootfs.diff.tar',
  inToto: 'application/vnd.in-toto+json',
});

export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';

export type MediaTypeFlavor = 'oci' | 'docker';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface LayerFile {
  /** Path inside the image, without a leading slash: `etc/passwd`. */
  path: string;
  content: string | Uint8Array;
  mode?: number;
}

/**
 * One layer. Its uncompressed content is `bytes` taken as-is, or else a tar archive of
 * `files` plus, when `sizeBytes` is set, one file of that many pseudo-random bytes (random
 * data does not compress, so the gzip layer is about `sizeBytes` too).
 */
export interface LayerSpec {
  bytes?: Uint8Array;
  files?: LayerFile[];
  sizeBytes?: number;
  /** Seeds the pseudo-random content; two layers with the same seed and size are identical. */
  seed?: string | number;
  compression?: 'gzip' | 'none';
  annotations?: Record<string, string>;
}

export interface BuildImageOptions {
  user?: string;
  env?: string[];
  labels?: Record<string, string>;
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  /** More fields for the config's `config` object (ExposedPorts, StopSignal, ...). */
  extraConfig?: Record<string, unknown>;
  history?: HistoryEntry[];
  layers?: LayerSpec[];
  platform?: Platform;
  /** Manifest annotations (OCI only). */
  annotations?: Record<string, string>;
  mediaTypeFlavor?: MediaTypeFlavor;
  created?: string;
  /** Last word on the config document before it is serialized (to build broken images). */
  transformConfig?: (config: Record<string, unknown>) => Record<string, unknown>;
  /** Last word on the manifest document before it is serialized (e.g. to claim huge sizes). */
  transformManifest?: (manifest: Record<string, unknown>) => Record<string, unknown>;
}

export interface Blob {
  bytes: Uint8Array;
  digest: string;
  size: number;
  mediaType: string;
}

export interface BuiltLayer extends Blob {
  /** sha256 of the uncompressed layer, as listed in the config's rootfs.diff_ids. */
  diffId: string;
  annotations?: Record<string, string>;
}

export interface BuiltImage {
  kind: 'image';
  flavor: MediaTypeFlavor;
  platform: Platform;
  manifest: Blob;
  config: Blob;
  layers: BuiltLayer[];
  /** Sum of the layer sizes as pushed: what a size budget sees. */
  compressedSize: number;
}

export interface BuiltIndex {
  kind: 'index';
  flavor: MediaTypeFlavor;
  manifest: Blob;
  images: BuiltImage[];
  /** BuildKit-style attestation manifests, one per image, in image order. */
  attestations: BuiltImage[];
}

export type Built = BuiltImage | BuiltIndex;

export interface Material {
  uri: string;
  digest?: Record<string, string>;
}

export interface BuildIndexOptions {
  images: BuiltImage[];
  /** Adds one BuildKit attestation manifest (SLSA provenance v0.2) per image. */
  attestations?: boolean;
  /** The provenance `materials` of each image; default: golang@1.22-bookworm and distroless. */
  materials?: Material[] | ((image: BuiltImage) => Material[]);
  flavor?: MediaTypeFlavor;
  annotations?: Record<string, string>;
  transformIndex?: (index: Record<string, unknown>) => Record<string, unknown>;
}

const DEFAULT_CREATED = '2024-01-01T00:00:00Z';
const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function jsonBlob(document: unknown, mediaType: string): Blob {
  const bytes = Buffer.from(JSON.stringify(document));
  return { bytes, digest: sha256Digest(bytes), size: bytes.length, mediaType };
}

/** Deterministic bytes that do not compress: an AES-CTR keystream keyed by the seed. */
export function pseudoRandomBytes(size: number, seed: string | number): Buffer {
  const key = createHash('sha256').update(`slimguard-test-layer:${seed}`).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const chunk = 1 << 20;
  const parts: Buffer[] = [];
  for (let left = size; left > 0; left -= chunk) parts.push(cipher.update(Buffer.alloc(Math.min(chunk, left))));
  return Buffer.concat(parts, size);
}

// --- tar (ustar), enough for regular files and their parent directories -----------------

function tarHeader(name: string, size: number, mode: number, type: '0' | '5'): Buffer {
  const header = Buffer.alloc(512);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`tar path too long: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0';
  header.write(base, 0, 100, 'utf8');
  header.write(octal(mode, 8), 100, 8, 'ascii');
  header.write(octal(0, 8), 108, 8, 'ascii'); // uid
  header.write(octal(0, 8), 116, 8, 'ascii'); // gid
  header.write(octal(size, 12), 124, 12, 'ascii');
  header.write(octal(0, 12), 136, 12, 'ascii'); // mtime: fixed for determinism
  header.write('        ', 148, 8, 'ascii'); // checksum is computed with spaces here
  header.write(type, 156, 1, 'ascii');
  header.write('ustar\0', 257, 6, 'ascii');
  header.write('00', 263, 2, 'ascii');
  header.write('root', 265, 32, 'ascii');
  header.write('root', 297, 32, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return header;
}

export function buildTar(files: LayerFile[]): Buffer {
  const parts: Buffer[] = [];
  const directories = new Set<string>();
  for (const file of files) {
    const path = file.path.replace(/^\/+/, '');
    const segments = path.split('/');
    for (let i = 1; i < segments.length; i++) {
      const directory = `${segments.slice(0, i).join('/')}/`;
      if (directories.has(directory)) continue;
      directories.add(directory);
      parts.push(tarHeader(directory, 0, 0o755, '5'));
    }
    const content = typeof file.content === 'string' ? Buffer.from(file.content) : Buffer.from(file.content);
    parts.push(tarHeader(path, content.length, file.mode ?? 0o644, '0'), content);
    const padding = (512 - (content.length % 512)) % 512;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return Buffer.concat(parts);
}

// --- images --------------------------------------------------------------------------------

function buildLayer(spec: LayerSpec, index: number, flavor: MediaTypeFlavor): BuiltLayer {
  let uncompressed: Buffer;
  if (spec.bytes !== undefined) {
    uncompressed = Buffer.from(spec.bytes);
  } else {
    const files = [...(spec.files ?? [])];
    if (spec.sizeBytes !== undefined) {
      const seed = spec.seed ?? `${index}-${spec.sizeBytes}`;
      files.push({ path: `slimguard-test/layer-${seed}.bin`, content: pseudoRandomBytes(spec.sizeBytes, seed) });
    }
    uncompressed = buildTar(files);
  }
  const gzip = (spec.compression ?? 'gzip') === 'gzip';
  // Level 1: the content is mostly random, a higher level only costs time.
  const bytes = gzip ? gzipSync(uncompressed, { level: zlibConstants.Z_BEST_SPEED }) : uncompressed;
  const mediaType =
    flavor === 'oci'
      ? gzip ? MEDIA_TYPES.ociLayerGzip : MEDIA_TYPES.ociLayerTar
      : gzip ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.dockerLayerTar;
  return {
    bytes,
    digest: sha256Digest(bytes),
    size: bytes.length,
    mediaType,
    diffId: sha256Digest(uncompressed),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  };
}

function descriptorOf(blob: Blob, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { mediaType: blob.mediaType, digest: blob.digest, size: blob.size, ...extra };
}

export function buildImage(options: BuildImageOptions = {}): BuiltImage {
  const flavor = options.mediaTypeFlavor ?? 'oci';
  if (flavor === 'docker' && options.annotations) {
    throw new Error('Docker schema 2 manifests have no annotations; use mediaTypeFlavor "oci"');
  }
  const platform = options.platform ?? DEFAULT_PLATFORM;
  const created = options.created ?? DEFAULT_CREATED;
  const layers = (options.layers ?? [{ sizeBytes: 1024 }]).map((spec, i) => buildLayer(spec, i, flavor));

  const containerConfig: Record<string, unknown> = {};
  if (options.user !== undefined) containerConfig.User = options.user;
  containerConfig.Env = options.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (options.entrypoint) containerConfig.Entrypoint = options.entrypoint;
  if (options.cmd) containerConfig.Cmd = options.cmd;
  if (options.workingDir) containerConfig.WorkingDir = options.workingDir;
  if (options.labels) containerConfig.Labels = options.labels;
  Object.assign(containerConfig, options.extraConfig);

  const history =
    options.history ?? layers.map((_, i) => ({ created, created_by: `ADD layer-${i}.tar / # slimguard-test` }));
  let configDocument: Record<string, unknown> = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: containerConfig,
    rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    history,
  };
  if (options.transformConfig) configDocument = options.transformConfig(configDocument);
  const config = jsonBlob(configDocument, flavor === 'oci' ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig);

  const manifestMediaType = flavor === 'oci' ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  let manifestDocument: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: descriptorOf(config),
    layers: layers.map((layer) => descriptorOf(layer, layer.annotations ? { annotations: layer.annotations } : {})),
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  if (options.transformManifest) manifestDocument = options.transformManifest(manifestDocument);
  const manifest = jsonBlob(manifestDocument, manifestMediaType);

  return {
    kind: 'image',
    flavor,
    platform,
    manifest,
    config,
    layers,
    compressedSize: layers.reduce((sum, layer) => sum + layer.size, 0),
  };
}

// --- indexes and BuildKit attestations -----------------------------------------------------

export function platformString(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

function purlPlatform(platform: Platform): string {
  return encodeURIComponent(platformString(platform));
}

/** The platform object of an index entry (field order as BuildKit writes it). */
function platformOf(platform: Platform): Record<string, string> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
  };
}

function fakeDigest(text: string): Record<string, string> {
  return { sha256: createHash('sha256').update(`slimguard-test-material:${text}`).digest('hex') };
}

/** What a Go multi-stage build on BuildKit records: the builder stage and the final base. */
export function defaultMaterials(image: BuiltImage): Material[] {
  const platform = purlPlatform(image.platform);
  return [
    `pkg:docker/golang@1.22-bookworm?platform=${platform}`,
    `pkg:docker/gcr.io/distroless/static-debian12@nonroot?platform=${platform}`,
  ].map((uri) => ({ uri, digest: fakeDigest(uri) }));
}

function buildAttestation(image: BuiltImage, materials: Material[]): BuiltImage {
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: SLSA_PROVENANCE_V02,
    subject: [
      {
        name: `pkg:docker/slimguard-test/image@latest?platform=${purlPlatform(image.platform)}`,
        digest: { sha256: image.manifest.digest.slice('sha256:'.length) },
      },
    ],
    predicate: {
      builder: { id: '' },
      buildType: 'https://mobyproject.org/buildkit@v1',
      materials,
      invocation: {
        configSource: { entryPoint: 'Dockerfile' },
        parameters: { frontend: 'dockerfile.v0' },
        environment: { platform: platformString(image.platform) },
      },
      metadata: { completeness: { parameters: true, environment: true, materials: false }, reproducible: false },
    },
  };
  const layer = jsonBlob(statement, MEDIA_TYPES.inToto);
  const inTotoLayer: BuiltLayer = {
    ...layer,
    diffId: layer.digest,
    annotations: { 'in-toto.io/predicate-type': SLSA_PROVENANCE_V02 },
  };
  const config = jsonBlob(
    { architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } },
    MEDIA_TYPES.ociConfig,
  );
  const manifest = jsonBlob(
    {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: descriptorOf(config),
      layers: [descriptorOf(inTotoLayer, { annotations: inTotoLayer.annotations })],
    },
    MEDIA_TYPES.ociManifest,
  );
  return {
    kind: 'image',
    flavor: 'oci',
    platform: { os: 'unknown', architecture: 'unknown' },
    manifest,
    config,
    layers: [inTotoLayer],
    compressedSize: inTotoLayer.size,
  };
}

export function buildIndex(options: BuildIndexOptions): BuiltIndex {
  const flavor = options.flavor ?? 'oci';
  if (flavor === 'docker' && (options.attestations || options.annotations)) {
    throw new Error('attestations and annotations need an OCI index; use flavor "oci"');
  }
  const materialsOf = (image: BuiltImage): Material[] =>
    typeof options.materials === 'function' ? options.materials(image) : (options.materials ?? defaultMaterials(image));
  const attestations = options.attestations ? options.images.map((image) => buildAttestation(image, materialsOf(image))) : [];

  const entries: Record<string, unknown>[] = options.images.map((image) =>
    descriptorOf(image.manifest, { platform: platformOf(image.platform) }),
  );
  attestations.forEach((attestation, i) => {
    entries.push(
      descriptorOf(attestation.manifest, {
        annotations: {
          'vnd.docker.reference.digest': options.images[i]!.manifest.digest,
          'vnd.docker.reference.type': 'attestation-manifest',
        },
        platform: platformOf(attestation.platform),
      }),
    );
  });
  const mediaType = flavor === 'oci' ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerManifestList;
  let indexDocument: Record<string, unknown> = {
    schemaVersion: 2,
    mediaType,
    manifests: entries,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  };
  if (options.transformIndex) indexDocument = options.transformIndex(indexDocument);
  return { kind: 'index', flavor, manifest: jsonBlob(indexDocument, mediaType), images: options.images, attestations };
}

// --- walking what was built ----------------------------------------------------------------

/** Every manifest of `built`, children before their index: the order a registry accepts them in. */
export function manifestsOf(built: Built): Blob[] {
  if (built.kind === 'image') return [built.manifest];
  return [...built.images.map((image) => image.manifest), ...built.attestations.map((a) => a.manifest), built.manifest];
}

/** Every config and layer blob of `built`, without duplicates. */
export function blobsOf(built: Built): Blob[] {
  const images = built.kind === 'image' ? [built] : [...built.images, ...built.attestations];
  const seen = new Map<string, Blob>();
  for (const image of images) {
    for (const blob of [image.config, ...image.layers]) if (!seen.has(blob.digest)) seen.set(blob.digest, blob);
  }
  return [...seen.values()];
}

// --- OCI image layout on disk --------------------------------------------------------------

const REF_NAME = 'org.opencontainers.image.ref.name';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Writes (or adds to) an OCI image layout: `oci-layout`, `index.json` with one entry per
 * ref name (annotation org.opencontainers.image.ref.name), and blobs/sha256/<hex>.
 */
export async function writeOciLayout(dir: string, refs: Record<string, Built>): Promise<void> {
  const blobDir = join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));

  const indexPath = join(dir, 'index.json');
  let manifests: Record<string, unknown>[] = [];
  if (await exists(indexPath)) {
    manifests = (JSON.parse(await readFile(indexPath, 'utf8')) as { manifests?: Record<string, unknown>[] }).manifests ?? [];
  }
  for (const [ref, built] of Object.entries(refs)) {
    for (const blob of [...blobsOf(built), ...manifestsOf(built)]) {
      const path = join(blobDir, blob.digest.slice('sha256:'.length));
      if (!(await exists(path))) await writeFile(path, blob.bytes);
    }
    manifests = manifests.filter((entry) => (entry.annotations as Record<string, string> | undefined)?.[REF_NAME] !== ref);
    manifests.push(
      descriptorOf(built.manifest, {
        ...(built.kind === 'image'
          ? { platform: platformOf(built.platform) }
          : {}),
        annotations: { [REF_NAME]: ref },
      }),
    );
  }
  await writeFile(indexPath, JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
}
