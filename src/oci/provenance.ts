// SLSA provenance as BuildKit attaches it: an in-toto Statement in a layer of the attestation
// manifest. Its materials name the images the build pulled, which tells which base built the image.
import { OciFormatError } from './errors.js';
import { describeJson, field, FieldReader, parseJsonBytes, type JsonObject } from './json-fields.js';
import { IN_TOTO } from './media-types.js';
import type { Descriptor, ImageManifest } from './types.js';

export const IN_TOTO_STATEMENT_V01 = 'https://in-toto.io/Statement/v0.1';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE_PREFIX = 'https://slsa.dev/provenance/';
export const SLSA_PROVENANCE_V01 = 'https://slsa.dev/provenance/v0.1';
export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';

export interface ProvenanceMaterial {
  uri: string;
  /** Algorithm to hex ({ sha256: "..." }); empty when the statement gives none. */
  digest: Record<string, string>;
}

export interface ProvenanceStatement {
  predicateType: string;
  materials: ProvenanceMaterial[];
}

/**
 * Reads an in-toto Statement (v0.1 or v1) carrying SLSA provenance: v0.1/v0.2 `predicate.materials`
 * or v1 `predicate.buildDefinition.resolvedDependencies`. A DSSE envelope around the statement is
 * unwrapped. Entries without a uri (v1 allows content-only dependencies) are left out.
 * Throws only OciFormatError (INVALID_PROVENANCE), whatever the bytes are.
 */
export function parseProvenanceStatement(bytes: Uint8Array): ProvenanceStatement {
  try {
    return parseStatementDocument(bytes);
  } catch (error) {
    if (error instanceof OciFormatError) throw error;
    throw new OciFormatError('INVALID_PROVENANCE', 'provenance statement could not be read', { cause: error });
  }
}

function parseStatementDocument(bytes: Uint8Array): ProvenanceStatement {
  const reader = new FieldReader('INVALID_PROVENANCE', 'provenance statement');
  let json = reader.object(parseJsonBytes(bytes, 'INVALID_PROVENANCE', 'provenance statement'), '');
  if (field(json, 'payloadType') !== undefined) json = unwrapEnvelope(reader, json);

  const type = field(json, '_type');
  if (type !== IN_TOTO_STATEMENT_V01 && type !== IN_TOTO_STATEMENT_V1) {
    reader.fail('_type', `must be ${IN_TOTO_STATEMENT_V01} or ${IN_TOTO_STATEMENT_V1}, got ${describeJson(type)}`);
  }
  const predicateType = reader.string(field(json, 'predicateType'), 'predicateType');
  const predicate = reader.object(field(json, 'predicate'), 'predicate');

  if (predicateType === SLSA_PROVENANCE_V01 || predicateType === SLSA_PROVENANCE_V02) {
    return { predicateType, materials: readMaterials(reader, field(predicate, 'materials'), 'predicate.materials') };
  }
  if (predicateType === SLSA_PROVENANCE_V1) {
    const buildDefinition = field(predicate, 'buildDefinition');
    if (buildDefinition === undefined || buildDefinition === null) return { predicateType, materials: [] };
    const definition = reader.object(buildDefinition, 'predicate.buildDefinition');
    return {
      predicateType,
      materials: readMaterials(reader, field(definition, 'resolvedDependencies'), 'predicate.buildDefinition.resolvedDependencies'),
    };
  }
  return reader.fail(
    'predicateType',
    `is ${JSON.stringify(predicateType.slice(0, 200))}, not SLSA provenance (${SLSA_PROVENANCE_V02} or ${SLSA_PROVENANCE_V1})`,
  );
}

/** DSSE: { payloadType, payload: base64(statement), signatures }. Signatures are not checked here. */
function unwrapEnvelope(reader: FieldReader, envelope: JsonObject): JsonObject {
  const payloadType = reader.string(field(envelope, 'payloadType'), 'payloadType');
  if (payloadType !== IN_TOTO) reader.fail('payloadType', `must be ${IN_TOTO}, got ${describeJson(payloadType)}`);
  const payload = reader.string(field(envelope, 'payload'), 'payload');
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(payload), (char) => char.charCodeAt(0));
  } catch (cause) {
    return reader.fail('payload', 'is not valid base64', cause);
  }
  return reader.object(parseJsonBytes(bytes, 'INVALID_PROVENANCE', 'provenance statement payload'), 'payload (decoded)');
}

function readMaterials(reader: FieldReader, value: unknown, path: string): ProvenanceMaterial[] {
  if (value === undefined || value === null) return [];
  const materials: ProvenanceMaterial[] = [];
  reader.array(value, path).forEach((item, i) => {
    const object = reader.object(item, `${path}[${i}]`);
    const uri = reader.optionalString(field(object, 'uri'), `${path}[${i}].uri`);
    if (uri === undefined) return;
    const digest = reader.optionalStringMap(field(object, 'digest'), `${path}[${i}].digest`) ?? {};
    materials.push({ uri, digest });
  });
  return materials;
}

/**
 * The attestation-manifest layer holding SLSA provenance: media type in-toto and annotation
 * in-toto.io/predicate-type starting with https://slsa.dev/provenance/. SBOM layers share the media
 * type, so the annotation is what tells them apart.
 */
export function findProvenanceLayer(manifest: ImageManifest): Descriptor | undefined {
  return manifest.layers.find(
    (layer) =>
      layer.mediaType === IN_TOTO && (layer.annotations?.[PREDICATE_TYPE_ANNOTATION] ?? '').startsWith(SLSA_PROVENANCE_PREFIX),
  );
}

/**
 * The image reference in a BuildKit material uri (a package URL made by BuildKit's RefToPURL):
 *   pkg:docker/golang@1.22?platform=linux%2Famd64       -> "golang:1.22"
 *   pkg:docker/ghcr.io/org/app@v1?digest=sha256:abc...  -> "ghcr.io/org/app:v1@sha256:abc..."
 *   pkg:docker/alpine@sha256:abc...                     -> "alpine@sha256:abc..."
 * The result is in familiar form (no docker.io/library/); normalize it with parseReference.
 * Returns undefined for anything that is not a pkg:docker URL (git sources, http files).
 */
export function imageFromMaterialUri(uri: string): string | undefined {
  if (typeof uri !== 'string' || !uri.startsWith('pkg:docker/')) return undefined;
  let rest = uri.slice('pkg:docker/'.length);
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  let query = '';
  const question = rest.indexOf('?');
  if (question !== -1) {
    query = rest.slice(question + 1);
    rest = rest.slice(0, question);
  }
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at !== -1) {
    version = safeDecode(rest.slice(at + 1));
    rest = rest.slice(0, at);
  }
  const segments = rest.split('/').map(safeDecode);
  if (segments.some((segment) => segment === undefined || segment === '')) return undefined;
  const name = segments.join('/');
  if (version === undefined && at !== -1) return undefined;

  const qualifierDigest = readQualifier(query, 'digest');
  let reference = name;
  if (version !== undefined && version !== '') {
    // purl puts a digest into the version when the reference had no tag.
    reference += /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:/.test(version) ? `@${version}` : `:${version}`;
    if (qualifierDigest !== undefined && !reference.includes('@')) reference += `@${qualifierDigest}`;
  } else if (qualifierDigest !== undefined) {
    reference += `@${qualifierDigest}`;
  } else {
    reference += ':latest';
  }
  return reference;
}

/** The platform qualifier of a pkg:docker material uri ("linux/amd64"), if present. */
export function platformFromMaterialUri(uri: string): string | undefined {
  if (typeof uri !== 'string' || !uri.startsWith('pkg:docker/')) return undefined;
  const question = uri.indexOf('?');
  if (question === -1) return undefined;
  const hash = uri.indexOf('#', question);
  return readQualifier(uri.slice(question + 1, hash === -1 ? undefined : hash), 'platform');
}

function readQualifier(query: string, key: string): string | undefined {
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    if (equals === -1) continue;
    if (pair.slice(0, equals).toLowerCase() !== key) continue;
    const value = safeDecode(pair.slice(equals + 1));
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
