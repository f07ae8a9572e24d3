import { readDescriptor } from './descriptor.js';
import { OciFormatError } from './errors.js';
import { describeJson, field, FieldReader, parseJsonBytes, type JsonObject } from './json-fields.js';
import {
  bareMediaType,
  DOCKER_SCHEMA1_SIGNED_MANIFEST,
  isIndexMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.js';
import type { ImageIndex, ImageManifest, Manifest } from './types.js';

// Content types that say nothing about the document: registries and static file servers send them
// for any JSON, so they must not outvote the document's own shape.
const GENERIC_CONTENT_TYPES: ReadonlySet<string> = new Set(['', 'application/json', 'application/octet-stream', 'text/plain']);

type Kind = 'index' | 'manifest';

/**
 * Validates an image manifest or index. The media type comes from the body's `mediaType`, else
 * from the Content-Type header, else from the shape of the document. Throws only OciFormatError,
 * whatever the bytes are.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): Manifest {
  try {
    return parseManifestDocument(bytes, contentType);
  } catch (error) {
    if (error instanceof OciFormatError) throw error;
    // A bug in the validator must not escape as a TypeError from untrusted input.
    throw new OciFormatError('INVALID_MANIFEST', 'manifest could not be read', { cause: error });
  }
}

function parseManifestDocument(bytes: Uint8Array, contentType: string | undefined): Manifest {
  const reader = new FieldReader('INVALID_MANIFEST', 'manifest');
  const json = reader.object(parseJsonBytes(bytes, 'INVALID_MANIFEST', 'manifest'), '');

  const bodyType = readBodyMediaType(reader, json);
  const headerType = readHeaderMediaType(contentType);
  rejectSchema1(json, bodyType, headerType);

  const mediaType = decideMediaType(reader, json, bodyType, headerType);
  const schemaVersion = field(json, 'schemaVersion');
  if (schemaVersion !== 2) reader.fail('schemaVersion', `must be 2, got ${describeJson(schemaVersion)}`);

  return isIndexMediaType(mediaType) ? readIndex(reader, json, mediaType) : readImageManifest(reader, json, mediaType);
}

function readBodyMediaType(reader: FieldReader, json: JsonObject): string | undefined {
  const value = reader.optionalString(field(json, 'mediaType'), 'mediaType');
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function readHeaderMediaType(contentType: string | undefined): string | undefined {
  if (typeof contentType !== 'string') return undefined;
  const bare = bareMediaType(contentType);
  return GENERIC_CONTENT_TYPES.has(bare) ? undefined : bare;
}

function rejectSchema1(json: JsonObject, bodyType: string | undefined, headerType: string | undefined): void {
  let seen: string | undefined;
  if (bodyType !== undefined && isSchema1MediaType(bodyType)) seen = bodyType;
  else if (field(json, 'schemaVersion') === 1) seen = bodyType ?? headerType;
  else if (bodyType === undefined && headerType !== undefined && isSchema1MediaType(headerType)) seen = headerType;
  else if (
    bodyType === undefined &&
    headerType === undefined &&
    field(json, 'config') === undefined &&
    (field(json, 'fsLayers') !== undefined || field(json, 'signatures') !== undefined)
  ) {
    seen = DOCKER_SCHEMA1_SIGNED_MANIFEST;
  } else return;

  const shown = seen !== undefined && isSchema1MediaType(seen) ? seen : DOCKER_SCHEMA1_SIGNED_MANIFEST;
  throw new OciFormatError(
    'SCHEMA1_UNSUPPORTED',
    `manifest is Docker schema 1 (${shown}), which is deprecated and not supported: ` +
      're-push the image with a current Docker/buildah/crane',
  );
}

function kindOf(mediaType: string): Kind | undefined {
  if (isIndexMediaType(mediaType)) return 'index';
  if (isManifestMediaType(mediaType)) return 'manifest';
  return undefined;
}

function describeKind(kind: Kind): string {
  return kind === 'index' ? 'a multi-platform index' : 'a single-platform image manifest';
}

function unsupported(mediaType: string, source: string): OciFormatError {
  return new OciFormatError(
    'UNSUPPORTED_MEDIA_TYPE',
    `manifest media type ${JSON.stringify(mediaType)} (from ${source}) is not a container image: slimguard reads ` +
      'OCI image indexes and manifests and Docker manifest lists and schema 2 manifests; ' +
      'point the reference at a runnable image',
  );
}

function decideMediaType(
  reader: FieldReader,
  json: JsonObject,
  bodyType: string | undefined,
  headerType: string | undefined,
): string {
  if (bodyType !== undefined) {
    const bodyKind = kindOf(bodyType);
    if (bodyKind === undefined) throw unsupported(bodyType, 'the mediaType field');
    const headerKind = headerType === undefined ? undefined : kindOf(headerType);
    if (headerKind !== undefined && headerKind !== bodyKind) {
      reader.fail(
        'mediaType',
        `is ${JSON.stringify(bodyType)} (${describeKind(bodyKind)}) but the registry's Content-Type is ` +
          `${JSON.stringify(headerType)} (${describeKind(headerKind)}); the registry or the pushing tool stored it wrongly`,
      );
    }
    return bodyType;
  }
  if (headerType !== undefined) {
    if (kindOf(headerType) === undefined) throw unsupported(headerType, 'the Content-Type header');
    return headerType;
  }
  // Neither says: OCI allows mediaType to be omitted, so tell index and manifest apart by shape.
  const looksLikeIndex = field(json, 'manifests') !== undefined;
  const looksLikeManifest = field(json, 'config') !== undefined || field(json, 'layers') !== undefined;
  if (looksLikeIndex && looksLikeManifest) {
    reader.fail('', 'has both "manifests" and "config"/"layers" and no mediaType, so it is ambiguous');
  }
  if (looksLikeIndex) return OCI_INDEX;
  if (looksLikeManifest) return OCI_MANIFEST;
  return reader.fail('', 'has no mediaType and neither "manifests" nor "config"/"layers": it is not an image manifest or index');
}

function readImageManifest(reader: FieldReader, json: JsonObject, mediaType: string): ImageManifest {
  const config = field(json, 'config');
  if (config === undefined || config === null) reader.fail('config', 'is missing');
  const layers = field(json, 'layers');
  if (layers === undefined || layers === null) reader.fail('layers', 'is missing');

  const manifest: ImageManifest = {
    kind: 'manifest',
    schemaVersion: 2,
    mediaType,
    config: readDescriptor(reader, config, 'config'),
    layers: reader.array(layers, 'layers').map((layer, i) => readDescriptor(reader, layer, `layers[${i}]`)),
  };
  const artifactType = reader.optionalString(field(json, 'artifactType'), 'artifactType');
  if (artifactType !== undefined) manifest.artifactType = artifactType;
  const subject = field(json, 'subject');
  if (subject !== undefined && subject !== null) manifest.subject = readDescriptor(reader, subject, 'subject');
  const annotations = reader.optionalStringMap(field(json, 'annotations'), 'annotations');
  if (annotations !== undefined) manifest.annotations = annotations;
  return manifest;
}

function readIndex(reader: FieldReader, json: JsonObject, mediaType: string): ImageIndex {
  const manifests = field(json, 'manifests');
  if (manifests === undefined || manifests === null) reader.fail('manifests', 'is missing');

  const index: ImageIndex = {
    kind: 'index',
    schemaVersion: 2,
    mediaType,
    manifests: reader.array(manifests, 'manifests').map((entry, i) => readDescriptor(reader, entry, `manifests[${i}]`)),
  };
  const artifactType = reader.optionalString(field(json, 'artifactType'), 'artifactType');
  if (artifactType !== undefined) index.artifactType = artifactType;
  const subject = field(json, 'subject');
  if (subject !== undefined && subject !== null) index.subject = readDescriptor(reader, subject, 'subject');
  const annotations = reader.optionalStringMap(field(json, 'annotations'), 'annotations');
  if (annotations !== undefined) index.annotations = annotations;
  return index;
}
