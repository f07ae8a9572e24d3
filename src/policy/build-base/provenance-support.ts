import type { Evidence } from '../types.js';
import { classifyBaseName, type BaseClassification } from './base-names.js';
import { parseImageName } from './image-name.js';
import type { BuildBaseFacts, Ecosystem } from './types.js';

/** An image named by a provenance material. */
export interface ProvenanceImage {
  uri: string;
  /** Familiar name with tag: "golang:1.22". */
  name: string;
  /** "sha256:…" when the material gives one. */
  digest?: string;
  classification: BaseClassification;
}

/**
 * The images among provenance materials. BuildKit writes them as package URLs:
 * `pkg:docker/golang@1.22?platform=linux%2Famd64`, `pkg:docker/gcr.io/distroless/static-debian12@nonroot?…`;
 * LLB-style `docker-image://golang:1.22` is accepted too. Git and HTTP materials are not images.
 */
export function provenanceImages(facts: BuildBaseFacts): ProvenanceImage[] {
  const images: ProvenanceImage[] = [];
  for (const material of facts.provenance?.materials ?? []) {
    if (typeof material?.uri !== 'string') continue;
    const reference = referenceFromUri(material.uri);
    if (reference === undefined) continue;
    const image: ProvenanceImage = { uri: material.uri, name: reference, classification: classifyBaseName(reference) };
    const sha256 = material.digest?.sha256;
    if (sha256 !== undefined && sha256 !== '') image.digest = `sha256:${sha256}`;
    images.push(image);
  }
  return images;
}

function referenceFromUri(uri: string): string | undefined {
  if (uri.startsWith('docker-image://')) return uri.slice('docker-image://'.length);
  if (!uri.startsWith('pkg:docker/')) return undefined;
  const withoutQuery = uri.slice('pkg:docker/'.length).split(/[?#]/)[0]!;
  const at = withoutQuery.lastIndexOf('@');
  if (at === -1) return safeDecode(withoutQuery);
  const path = safeDecode(withoutQuery.slice(0, at));
  const version = safeDecode(withoutQuery.slice(at + 1));
  return version.includes(':') ? `${path}@${version}` : `${path}:${version}`;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface ProvenanceSupport {
  supported: boolean;
  evidence: Evidence[];
}

/**
 * Provenance lists every stage's images, builders included, so it can only corroborate a finding
 * that the final image's own layers, history, Env or annotations made: a material supports it when
 * it is a build base of the same ecosystem, the same repository as the base found, or the very image
 * the final stage was built FROM (`org.opencontainers.image.base.digest`).
 */
export function provenanceSupport(
  finding: { ecosystem?: Ecosystem; baseNames: readonly string[] },
  images: readonly ProvenanceImage[],
  baseDigest: string | undefined,
): ProvenanceSupport {
  const repositories = new Set(
    finding.baseNames.filter((name) => !name.includes(' ')).map((name) => parseImageName(name).repository),
  );
  const evidence: Evidence[] = [];
  for (const image of images) {
    const sameRepository = repositories.has(parseImageName(image.name).repository);
    const sameEcosystem = image.classification.kind === 'build' && image.classification.ecosystem === finding.ecosystem;
    const sameDigest = baseDigest !== undefined && image.digest === baseDigest;
    if (sameRepository || sameEcosystem || sameDigest) {
      const why = sameDigest ? 'the image the final stage was built FROM' : 'a build material';
      evidence.push({ signal: 'provenance', detail: `BuildKit provenance lists ${describe(image)} as ${why}, consistent with the finding` });
    }
  }
  return { supported: evidence.length > 0, evidence };
}

/** Why builder images named only in provenance do not count. */
export function builderOnlyNotes(images: readonly ProvenanceImage[]): Evidence[] {
  return images
    .filter((image) => image.classification.kind === 'build')
    .map((image) => ({
      signal: 'provenance',
      detail: `${describe(image)} appears in provenance only as a build material; the final image's layers, history and Env do not ship it`,
    }));
}

function describe(image: ProvenanceImage): string {
  return image.digest ? `${image.name} (${image.digest.slice(0, 19)}…)` : image.name;
}
