// Property tests (fast-check) for the OCI parsers: manifests, indexes, configs and provenance come
// from registries slimguard does not control. Whatever the bytes, a parser throws only
// OciFormatError, and never its catch-all "could not be read" (that one means a validator bug: a
// TypeError from input it did not check). What a parser accepts, the code after it can use.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty, fuzzRuns } from '../../test/fuzz/fuzz-runs.js';
import { mutatedFrom } from '../../test/fuzz/json-mutation.js';
import { findAttestationFor } from './attestation.js';
import { OciFormatError } from './errors.js';
import { nonEmptyLayerHistory } from './layer-history.js';
import { parseImageConfig } from './parse-image-config.js';
import { parseManifest } from './parse-manifest.js';
import { choosePlatformManifest, listPlatforms } from './platform.js';
import { findProvenanceLayer, parseProvenanceStatement } from './provenance.js';

type Json = unknown;
const testdata = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, 'testdata', name), 'utf8')) as Json;
const MANIFESTS = ['alpine-index.json', 'attestation-manifest.json', 'docker-schema2-manifest.json', 'golang-index.json', 'schema1-signed-manifest.json', 'windows-schema2-manifest.json'].map(testdata);
const CONFIGS = ['classic-builder-config.json', 'golang-config.json'].map(testdata);
const PROVENANCE = ['provenance-v02.json', 'provenance-v1.json'].map(testdata);
const CONTENT_TYPES = [
  undefined,
  '',
  'application/json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'text/html; charset=utf-8',
];

const encode = (value: Json) => new TextEncoder().encode(JSON.stringify(value));
/** Bytes from a seed document: mutated JSON, or its text cut short or with bytes flipped. */
function documentBytes(seeds: Json[]) {
  return fc.oneof(
    mutatedFrom(seeds).map(encode),
    fc.tuple(fc.constantFrom(...seeds), fc.nat()).map(([seed, cut]) => {
      const bytes = encode(seed);
      return bytes.subarray(0, cut % (bytes.length + 1));
    }),
    fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([seed, at, xor]) => {
      const bytes = encode(seed);
      bytes[at % bytes.length]! ^= xor;
      return bytes;
    }),
    fc.jsonValue({ maxDepth: 4 }).map(encode),
    fc.uint8Array({ maxLength: 256 }),
  );
}

function expectTypedError(error: unknown, catchAll: string): void {
  expect(error).toBeInstanceOf(OciFormatError);
  // The catch-all wraps a validator bug; a shrunk counterexample of it goes in the unit tests.
  expect((error as Error).message, String((error as Error).cause)).not.toBe(catchAll);
}

describe('OCI parsers (fuzzed)', () => {
  it('parseManifest throws only specific OciFormatErrors; what it accepts, platform choice can use', async () => {
    await assertProperty(
      'parseManifest on mutated manifests and indexes',
      fc.property(documentBytes(MANIFESTS), fc.constantFrom(...CONTENT_TYPES), (bytes, contentType) => {
        let manifest;
        try {
          manifest = parseManifest(bytes, contentType);
        } catch (error) {
          expectTypedError(error, 'manifest could not be read');
          return;
        }
        if (manifest.kind === 'index') {
          listPlatforms(manifest);
          choosePlatformManifest(manifest, { os: 'linux', architecture: 'amd64' });
          choosePlatformManifest(manifest, { os: 'linux', architecture: 'arm', variant: 'v7' });
          findAttestationFor(manifest, manifest.manifests[0]?.digest ?? '');
        } else {
          findProvenanceLayer(manifest);
          expect(manifest.layers.every((layer) => Number.isSafeInteger(layer.size) && layer.size >= 0)).toBe(true);
        }
      }),
      fuzzRuns(300, 0.25),
    );
  });

  it('parseImageConfig throws only specific OciFormatErrors; what it accepts, layer history can use', async () => {
    await assertProperty(
      'parseImageConfig on mutated configs',
      fc.property(documentBytes(CONFIGS), (bytes) => {
        let config;
        try {
          config = parseImageConfig(bytes);
        } catch (error) {
          expectTypedError(error, 'image config could not be read');
          return;
        }
        nonEmptyLayerHistory(config);
        expect(Array.isArray(config.config.Env ?? [])).toBe(true);
      }),
      fuzzRuns(300, 0.2),
    );
  });

  it('parseProvenanceStatement throws only specific OciFormatErrors', async () => {
    await assertProperty(
      'parseProvenanceStatement on mutated statements',
      fc.property(documentBytes(PROVENANCE), (bytes) => {
        try {
          const statement = parseProvenanceStatement(bytes);
          expect(Array.isArray(statement.materials)).toBe(true);
        } catch (error) {
          expectTypedError(error, 'provenance statement could not be read');
        }
      }),
      fuzzRuns(200, 0.1),
    );
  });
});
