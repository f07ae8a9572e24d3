import { open, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isDigest } from '../oci/digest.js';
import { MAX_MANIFEST_BYTES } from '../registry/limits.js';
import { computeDigest } from '../registry/digest.js';
import { parseManifest } from '../oci/parse-manifest.js';
import type { Descriptor, ImageIndex } from '../oci/types.js';
import type { ContentReader } from './content-reader.js';
import { ImageFactsError } from './errors.js';
import type { FactsRequest, ImageSource, ProvenanceRequest } from './image-source.js';
import { readImageFacts, readProvenance } from './read-image-facts.js';

export const OCI_LAYOUT_PREFIX = 'oci:';
const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name';

export function isOciLayoutReference(reference: string): boolean {
  return reference.startsWith(OCI_LAYOUT_PREFIX);
}

/** `oci:DIR[:REF]`, split at the first colon after the prefix like skopeo's oci transport. */
export function parseOciLayoutReference(reference: string): { dir: string; ref?: string } {
  const rest = reference.slice(OCI_LAYOUT_PREFIX.length);
  const colon = rest.indexOf(':');
  if (colon === -1) return { dir: rest };
  const ref = rest.slice(colon + 1);
  // A digest ref keeps its own colon: oci:dir:sha256:abc…
  return { dir: rest.slice(0, colon), ref: ref === '' ? undefined : ref };
}

/**
 * Facts from an OCI image layout on disk (`docker buildx build --output type=oci`,
 * `skopeo copy … oci:DIR:TAG`). Only index.json, manifests and the config are read; layer
 * blobs never are, so a multi-gigabyte image is judged as fast as a small one.
 */
export function createOciLayoutSource(): ImageSource {
  async function locate(reference: string) {
    const { dir, ref } = parseOciLayoutReference(reference);
    if (!dir) {
      throw new ImageFactsError({ code: 'INVALID_REFERENCE', image: reference, message: 'expected oci:DIR[:REF]' });
    }
    const root = resolve(dir);
    const reader = createLayoutReader(root, reference);
    const descriptor = await findTopDescriptor(root, ref, reference);
    return { reader, descriptor };
  }

  return {
    async getFacts(request: FactsRequest) {
      const { reader, descriptor } = await locate(request.reference);
      return readImageFacts({
        reader,
        reference: request.reference,
        tagOrDigest: descriptor.digest,
        platform: request.platform,
        signal: request.signal ?? AbortSignal.timeout(30_000),
      });
    },
    async getProvenance(request: ProvenanceRequest) {
      const { reader } = await locate(request.facts.reference);
      return readProvenance(reader, request.facts, request.signal ?? AbortSignal.timeout(30_000));
    },
  };
}

async function findTopDescriptor(root: string, ref: string | undefined, image: string): Promise<Descriptor> {
  const layoutText = await readLayoutFile(root, 'oci-layout', image);
  let version: unknown;
  try {
    version = (JSON.parse(layoutText) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    version = undefined;
  }
  if (typeof version !== 'string') {
    throw new ImageFactsError({ code: 'LAYOUT_INVALID', image, message: `${root}/oci-layout has no imageLayoutVersion` });
  }
  const indexBytes = Buffer.from(await readLayoutFile(root, 'index.json', image));
  let index: ImageIndex;
  try {
    const parsed = parseManifest(indexBytes, 'application/vnd.oci.image.index.v1+json');
    if (parsed.kind !== 'index') throw new Error('index.json is not an image index');
    index = parsed;
  } catch (error) {
    throw new ImageFactsError({
      code: 'LAYOUT_INVALID',
      image,
      message: `${root}/index.json is not a valid image index: ${(error as Error).message}`,
      cause: error,
    });
  }
  const names = index.manifests.map((d) => d.annotations?.[REF_NAME_ANNOTATION]).filter((n): n is string => !!n);
  let found: Descriptor | undefined;
  if (ref === undefined) {
    if (index.manifests.length === 1) found = index.manifests[0];
    else {
      throw new ImageFactsError({
        code: 'NOT_FOUND',
        image,
        message: `the layout holds ${index.manifests.length} images; name one as oci:DIR:REF (refs: ${names.join(', ') || 'none'})`,
      });
    }
  } else if (isDigest(ref)) {
    found = index.manifests.find((d) => d.digest === ref);
  } else {
    found = index.manifests.find((d) => d.annotations?.[REF_NAME_ANNOTATION] === ref);
  }
  if (!found) {
    throw new ImageFactsError({
      code: 'NOT_FOUND',
      image,
      message: `no image "${ref}" in ${root}/index.json (refs: ${names.join(', ') || 'none'})`,
    });
  }
  return found;
}

async function readLayoutFile(root: string, name: string, image: string): Promise<string> {
  try {
    return await readFile(resolve(root, name), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImageFactsError({
      code: code === 'ENOENT' ? 'NOT_FOUND' : 'LAYOUT_INVALID',
      image,
      message: code === 'ENOENT' ? `${root} is not an OCI image layout (no ${name})` : `cannot read ${root}/${name} (${code})`,
      cause: error,
    });
  }
}

function createLayoutReader(root: string, image: string): ContentReader {
  async function readBlobFile(digest: string, maxBytes: number): Promise<Uint8Array> {
    // The digest is validated before it becomes a path, so "../" can never be read.
    if (!isDigest(digest)) {
      throw new ImageFactsError({ code: 'LAYOUT_INVALID', image, message: `invalid digest ${JSON.stringify(digest)}` });
    }
    const [algorithm, encoded] = digest.split(':') as [string, string];
    const path = resolve(root, 'blobs', algorithm, encoded);
    let bytes: Buffer;
    try {
      const handle = await open(path, 'r');
      try {
        const { size } = await handle.stat();
        if (size > maxBytes) {
          throw new ImageFactsError({ code: 'TOO_LARGE', image, message: `blob ${digest} is ${size} bytes, over the ${maxBytes}-byte limit` });
        }
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof ImageFactsError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new ImageFactsError({
        code: code === 'ENOENT' ? 'NOT_FOUND' : 'LAYOUT_INVALID',
        image,
        message: `blob ${digest} ${code === 'ENOENT' ? 'is missing from' : 'cannot be read in'} ${root}`,
        cause: error,
      });
    }
    const actual = computeDigest(bytes, algorithm as 'sha256' | 'sha512');
    if (actual !== digest) {
      throw new ImageFactsError({ code: 'DIGEST_MISMATCH', image, message: `blob ${digest} in ${root} has content ${actual}` });
    }
    return bytes;
  }

  return {
    registry: 'oci-layout',
    repository: root,
    async readManifest(digest) {
      return { bytes: await readBlobFile(digest, MAX_MANIFEST_BYTES), digest };
    },
    readBlob: (digest, maxBytes) => readBlobFile(digest, maxBytes),
  };
}
