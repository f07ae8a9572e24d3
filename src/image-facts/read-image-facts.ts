import { OciFormatError } from '../oci/errors.js';
import { parseImageConfig } from '../oci/parse-image-config.js';
import { parseManifest } from '../oci/parse-manifest.js';
import { choosePlatformManifest, findAttestationFor, formatPlatform, listPlatforms } from '../oci/platform.js';
import { findProvenanceLayer, parseProvenanceStatement } from '../oci/provenance.js';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from '../oci/types.js';
import { MAX_ATTESTATION_BYTES, MAX_CONFIG_BYTES } from '../registry/limits.js';
import type { ContentReader } from './content-reader.js';
import { ImageFactsError } from './errors.js';
import type { ImageFacts } from './image-facts.js';

export const DEFAULT_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export interface ReadFactsOptions {
  reader: ContentReader;
  /** Normalized reference for the facts and messages. */
  reference: string;
  /** Tag or digest to start from. */
  tagOrDigest: string;
  platform?: Platform;
  signal: AbortSignal;
}

/**
 * Reference -> facts in the fewest reads: the top manifest, then (for an index) the chosen
 * platform's manifest, then its config. Layers are never read: their sizes are in the manifest.
 */
export async function readImageFacts(options: ReadFactsOptions): Promise<ImageFacts> {
  const { reader, reference, signal } = options;
  const wanted = options.platform ?? DEFAULT_PLATFORM;
  const top = await reader.readManifest(options.tagOrDigest, signal);
  const topManifest = parseOrExplain(reference, () => parseManifest(top.bytes, top.contentType));

  let index: ImageIndex | undefined;
  let indexDigest: string | undefined;
  let manifest: ImageManifest;
  let manifestDigest: string;
  let chosen: Descriptor | undefined;
  if (topManifest.kind === 'index') {
    index = topManifest;
    indexDigest = top.digest;
    chosen = choosePlatformManifest(index, wanted);
    if (!chosen) {
      const platforms = listPlatforms(index);
      throw new ImageFactsError({
        code: 'PLATFORM_NOT_FOUND',
        image: reference,
        message: `no ${formatPlatform(wanted)} image in this index (it has: ${platforms.map(formatPlatform).join(', ') || 'none'})`,
        availablePlatforms: platforms,
      });
    }
    const child = await reader.readManifest(chosen.digest, signal);
    const parsed = parseOrExplain(reference, () => parseManifest(child.bytes, child.contentType ?? chosen?.mediaType));
    if (parsed.kind !== 'manifest') {
      throw new ImageFactsError({
        code: 'UNSUPPORTED_FORMAT',
        image: reference,
        message: `index entry ${chosen.digest} is itself an index; nested indexes are not supported`,
      });
    }
    manifest = parsed;
    manifestDigest = child.digest;
  } else {
    manifest = topManifest;
    manifestDigest = top.digest;
  }

  const configBytes = await reader.readBlob(manifest.config.digest, MAX_CONFIG_BYTES, signal);
  const config = parseOrExplain(reference, () => parseImageConfig(configBytes));
  const attestation = index ? findAttestationFor(index, manifestDigest) : undefined;

  return buildFacts({
    reference,
    reader,
    manifest,
    manifestDigest,
    config,
    index,
    indexDigest,
    chosenPlatform: chosen?.platform,
    attestation,
  });
}

/** Reads the BuildKit provenance attestation named in the facts (two more reads). */
export async function readProvenance(
  reader: ContentReader,
  facts: ImageFacts,
  signal: AbortSignal,
): Promise<ImageFacts['provenance']> {
  if (!facts.attestation) return undefined;
  const fetched = await reader.readManifest(facts.attestation.digest, signal);
  const manifest = parseOrExplain(facts.reference, () => parseManifest(fetched.bytes, fetched.contentType));
  if (manifest.kind !== 'manifest') return undefined;
  const layer = findProvenanceLayer(manifest);
  if (!layer) return undefined;
  const statement = await reader.readBlob(layer.digest, MAX_ATTESTATION_BYTES, signal);
  return parseOrExplain(facts.reference, () => parseProvenanceStatement(statement));
}

interface BuildFactsInput {
  reference: string;
  reader: ContentReader;
  manifest: ImageManifest;
  manifestDigest: string;
  config: ImageConfig;
  index?: ImageIndex;
  indexDigest?: string;
  chosenPlatform?: Platform;
  attestation?: Descriptor;
}

function buildFacts(input: BuildFactsInput): ImageFacts {
  const { manifest, config } = input;
  const diffIds = config.rootfs.diff_ids;
  const layers = manifest.layers.map((layer, i) => ({
    digest: layer.digest,
    size: layer.size,
    mediaType: layer.mediaType,
    diffId: diffIds[i],
  }));
  const platform: Platform = {
    os: config.os || input.chosenPlatform?.os || 'unknown',
    architecture: config.architecture || input.chosenPlatform?.architecture || 'unknown',
  };
  const variant = config.variant ?? input.chosenPlatform?.variant;
  if (variant) platform.variant = variant;
  const osVersion = config['os.version'] ?? input.chosenPlatform?.['os.version'];
  if (osVersion) platform['os.version'] = osVersion;

  const facts: ImageFacts = {
    reference: input.reference,
    registry: input.reader.registry,
    repository: input.reader.repository,
    digest: input.manifestDigest,
    mediaType: manifest.mediaType,
    platform,
    user: config.config.User ?? '',
    env: config.config.Env ?? [],
    labels: config.config.Labels ?? {},
    // Base-image annotations may sit on the index, the manifest, or both; the manifest is more specific.
    annotations: { ...input.index?.annotations, ...manifest.annotations },
    history: config.history,
    layers,
    diffIds,
    compressedSizeBytes: layers.reduce((sum, layer) => sum + layer.size, 0),
  };
  if (input.indexDigest) facts.indexDigest = input.indexDigest;
  if (input.index) facts.availablePlatforms = listPlatforms(input.index);
  if (config.created) facts.created = config.created;
  if (input.attestation) {
    facts.attestation = {
      digest: input.attestation.digest,
      mediaType: input.attestation.mediaType,
      size: input.attestation.size,
    };
  }
  return facts;
}

/** Format errors come from the image itself: say which image, keep the format's own words. */
function parseOrExplain<T>(reference: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof OciFormatError) {
      throw new ImageFactsError({ code: 'UNSUPPORTED_FORMAT', image: reference, message: error.message, cause: error });
    }
    throw error;
  }
}
