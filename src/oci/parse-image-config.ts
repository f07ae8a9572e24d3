import { isDigest } from './digest.js';
import { OciFormatError } from './errors.js';
import { describeJson, field, FieldReader, parseJsonBytes, type JsonObject } from './json-fields.js';
import type { HistoryEntry, ImageConfig } from './types.js';

/**
 * Validates an image configuration (OCI config.md or Docker image JSON) and keeps the parts slimguard
 * reads. Missing `config` becomes {}, missing `config.Env` [] and `config.Labels` {}, missing
 * `history` []. Docker writes JSON null for empty fields; null counts as missing. Throws only
 * OciFormatError, whatever the bytes are.
 */
export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  try {
    return parseImageConfigDocument(bytes);
  } catch (error) {
    if (error instanceof OciFormatError) throw error;
    throw new OciFormatError('INVALID_CONFIG', 'image config could not be read', { cause: error });
  }
}

function parseImageConfigDocument(bytes: Uint8Array): ImageConfig {
  const reader = new FieldReader('INVALID_CONFIG', 'image config');
  const json = reader.object(parseJsonBytes(bytes, 'INVALID_CONFIG', 'image config'), '');

  const architecture = field(json, 'architecture');
  const os = field(json, 'os');
  if (architecture === undefined || os === undefined) {
    reader.fail('', 'has no "architecture"/"os": it is not a container image config (an artifact such as a Helm chart?)');
  }
  const config: ImageConfig = {
    architecture: reader.string(architecture, 'architecture'),
    os: reader.string(os, 'os'),
    config: readRuntimeConfig(reader, field(json, 'config')),
    rootfs: readRootfs(reader, field(json, 'rootfs')),
    history: readHistory(reader, field(json, 'history')),
  };
  const variant = reader.optionalString(field(json, 'variant'), 'variant');
  if (variant !== undefined && variant !== '') config.variant = variant;
  const osVersion = reader.optionalString(field(json, 'os.version'), '["os.version"]');
  if (osVersion !== undefined && osVersion !== '') config['os.version'] = osVersion;
  const created = reader.optionalString(field(json, 'created'), 'created');
  if (created !== undefined) config.created = created;
  const author = reader.optionalString(field(json, 'author'), 'author');
  if (author !== undefined) config.author = author;
  return config;
}

function readRuntimeConfig(reader: FieldReader, value: unknown): ImageConfig['config'] {
  if (value === undefined || value === null) return { Env: [], Labels: {} };
  const object = reader.object(value, 'config');
  const config: ImageConfig['config'] = {
    Env: reader.optionalStringArray(field(object, 'Env'), 'config.Env') ?? [],
    Labels: reader.optionalStringMap(field(object, 'Labels'), 'config.Labels') ?? {},
  };
  const user = reader.optionalString(field(object, 'User'), 'config.User');
  if (user !== undefined) config.User = user;
  const entrypoint = reader.optionalStringArray(field(object, 'Entrypoint'), 'config.Entrypoint');
  if (entrypoint !== undefined) config.Entrypoint = entrypoint;
  const cmd = reader.optionalStringArray(field(object, 'Cmd'), 'config.Cmd');
  if (cmd !== undefined) config.Cmd = cmd;
  const workingDir = reader.optionalString(field(object, 'WorkingDir'), 'config.WorkingDir');
  if (workingDir !== undefined) config.WorkingDir = workingDir;
  const exposedPorts = field(object, 'ExposedPorts');
  if (exposedPorts !== undefined && exposedPorts !== null) {
    config.ExposedPorts = { ...reader.object(exposedPorts, 'config.ExposedPorts') };
  }
  const stopSignal = reader.optionalString(field(object, 'StopSignal'), 'config.StopSignal');
  if (stopSignal !== undefined) config.StopSignal = stopSignal;
  return config;
}

function readRootfs(reader: FieldReader, value: unknown): ImageConfig['rootfs'] {
  if (value === undefined || value === null) reader.fail('rootfs', 'is missing');
  const object = reader.object(value, 'rootfs');
  const type = reader.string(field(object, 'type'), 'rootfs.type');
  const rawDiffIds = field(object, 'diff_ids');
  // An image with no layers at all (FROM scratch with only metadata) may write null.
  const diffIds = rawDiffIds === null || rawDiffIds === undefined ? [] : reader.stringArray(rawDiffIds, 'rootfs.diff_ids');
  diffIds.forEach((diffId, i) => {
    if (!isDigest(diffId)) reader.fail(`rootfs.diff_ids[${i}]`, `is not a sha256/sha512 digest, got ${describeJson(diffId)}`);
  });
  return { type, diff_ids: diffIds };
}

function readHistory(reader: FieldReader, value: unknown): HistoryEntry[] {
  if (value === undefined || value === null) return [];
  return reader.array(value, 'history').map((item, i) => readHistoryEntry(reader, reader.object(item, `history[${i}]`), `history[${i}]`));
}

function readHistoryEntry(reader: FieldReader, object: JsonObject, path: string): HistoryEntry {
  const entry: HistoryEntry = {};
  const created = reader.optionalString(field(object, 'created'), `${path}.created`);
  if (created !== undefined) entry.created = created;
  const createdBy = reader.optionalString(field(object, 'created_by'), `${path}.created_by`);
  if (createdBy !== undefined) entry.created_by = createdBy;
  const author = reader.optionalString(field(object, 'author'), `${path}.author`);
  if (author !== undefined) entry.author = author;
  const comment = reader.optionalString(field(object, 'comment'), `${path}.comment`);
  if (comment !== undefined) entry.comment = comment;
  const emptyLayer = reader.optionalBoolean(field(object, 'empty_layer'), `${path}.empty_layer`);
  if (emptyLayer !== undefined) entry.empty_layer = emptyLayer;
  return entry;
}
