// Validation of descriptors and platform objects as they appear inside manifests and indexes.
import { parseDigest } from './digest.js';
import { OciFormatError } from './errors.js';
import { field, type FieldReader } from './json-fields.js';
import type { Descriptor, Platform } from './types.js';

export function readDescriptor(reader: FieldReader, value: unknown, path: string): Descriptor {
  const object = reader.object(value, path);
  const mediaType = reader.string(field(object, 'mediaType'), `${path}.mediaType`);
  if (mediaType.trim() === '') reader.fail(`${path}.mediaType`, 'must not be empty');
  const digest = reader.string(field(object, 'digest'), `${path}.digest`);
  try {
    parseDigest(digest);
  } catch (cause) {
    reader.fail(`${path}.digest`, cause instanceof OciFormatError ? `is not valid (${cause.message})` : 'is not valid', cause);
  }
  const size = reader.nonNegativeSafeInteger(field(object, 'size'), `${path}.size`);

  const descriptor: Descriptor = { mediaType, digest, size };
  const urls = reader.optionalStringArray(field(object, 'urls'), `${path}.urls`);
  if (urls !== undefined) descriptor.urls = urls;
  const annotations = reader.optionalStringMap(field(object, 'annotations'), `${path}.annotations`);
  if (annotations !== undefined) descriptor.annotations = annotations;
  const platform = field(object, 'platform');
  if (platform !== undefined && platform !== null) descriptor.platform = readPlatformObject(reader, platform, `${path}.platform`);
  const artifactType = reader.optionalString(field(object, 'artifactType'), `${path}.artifactType`);
  if (artifactType !== undefined) descriptor.artifactType = artifactType;
  return descriptor;
}

export function readPlatformObject(reader: FieldReader, value: unknown, path: string): Platform {
  const object = reader.object(value, path);
  const platform: Platform = {
    os: reader.string(field(object, 'os'), `${path}.os`),
    architecture: reader.string(field(object, 'architecture'), `${path}.architecture`),
  };
  const variant = reader.optionalString(field(object, 'variant'), `${path}.variant`);
  if (variant !== undefined && variant !== '') platform.variant = variant;
  const osVersion = reader.optionalString(field(object, 'os.version'), `${path}["os.version"]`);
  if (osVersion !== undefined && osVersion !== '') platform['os.version'] = osVersion;
  const osFeatures = reader.optionalStringArray(field(object, 'os.features'), `${path}["os.features"]`);
  if (osFeatures !== undefined) platform['os.features'] = osFeatures;
  return platform;
}
