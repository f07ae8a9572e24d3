import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OciFormatError } from './errors.js';
import { parseManifest } from './parse-manifest.js';
import {
  findProvenanceLayer,
  imageFromMaterialUri,
  parseProvenanceStatement,
  platformFromMaterialUri,
  SLSA_PROVENANCE_V02,
  SLSA_PROVENANCE_V1,
} from './provenance.js';
import attestationManifestJson from './testdata/attestation-manifest.json' with { type: 'json' };
import provenanceV02 from './testdata/provenance-v02.json' with { type: 'json' };
import provenanceV1 from './testdata/provenance-v1.json' with { type: 'json' };
import type { ImageManifest } from './types.js';
import { bytes, errorOf } from './test-helpers.js';

const HEX = 'e3'.repeat(32);

function statement(predicateType: string, predicate: unknown, type = 'https://in-toto.io/Statement/v0.1'): Record<string, unknown> {
  return { _type: type, predicateType, subject: [], predicate };
}

describe('parseProvenanceStatement', () => {
  it('reads BuildKit SLSA v0.2 materials', () => {
    const result = parseProvenanceStatement(bytes(provenanceV02));
    expect(result.predicateType).toBe(SLSA_PROVENANCE_V02);
    expect(result.materials.map((m) => m.uri)).toEqual([
      'pkg:docker/docker/dockerfile@1',
      'pkg:docker/golang@1.22?platform=linux%2Famd64',
      'pkg:docker/alpine@3.20?platform=linux%2Famd64',
      'https://github.com/example/app.git#refs/heads/main',
    ]);
    expect(result.materials[1]?.digest).toEqual({ sha256: provenanceV02.predicate.materials[1]?.digest.sha256 });
  });

  it('reads SLSA v1 resolvedDependencies, leaving out entries without a uri', () => {
    const result = parseProvenanceStatement(bytes(provenanceV1));
    expect(result.predicateType).toBe(SLSA_PROVENANCE_V1);
    expect(result.materials.map((m) => m.uri)).toEqual([
      'pkg:docker/maven@3.9-eclipse-temurin-21?platform=linux%2Farm64%2Fv8',
      'pkg:docker/eclipse-temurin@21-jre?platform=linux%2Farm64%2Fv8',
    ]);
  });

  it('accepts missing materials and a missing digest', () => {
    expect(parseProvenanceStatement(bytes(statement(SLSA_PROVENANCE_V02, { builder: { id: '' } }))).materials).toEqual([]);
    expect(parseProvenanceStatement(bytes(statement(SLSA_PROVENANCE_V1, {}, 'https://in-toto.io/Statement/v1'))).materials).toEqual([]);
    expect(
      parseProvenanceStatement(bytes(statement(SLSA_PROVENANCE_V02, { materials: [{ uri: 'pkg:docker/alpine@3' }] }))).materials,
    ).toEqual([{ uri: 'pkg:docker/alpine@3', digest: {} }]);
  });

  it('unwraps a DSSE envelope', () => {
    const envelope = {
      payloadType: 'application/vnd.in-toto+json',
      payload: Buffer.from(JSON.stringify(provenanceV02)).toString('base64'),
      signatures: [{ keyid: '', sig: 'MEUCIQ==' }],
    };
    expect(parseProvenanceStatement(bytes(envelope))).toEqual(parseProvenanceStatement(bytes(provenanceV02)));
  });

  it.each([
    ['not JSON', 'nope', 'not valid JSON'],
    ['an SPDX SBOM', statement('https://spdx.dev/Document', { spdxVersion: 'SPDX-2.3' }), 'not SLSA provenance'],
    ['a wrong _type', { ...provenanceV02, _type: 'https://example.com/Statement' }, '_type must be'],
    ['a missing predicate', statement(SLSA_PROVENANCE_V02, undefined), 'predicate must be an object'],
    ['materials not an array', statement(SLSA_PROVENANCE_V02, { materials: {} }), 'predicate.materials must be an array'],
    ['a numeric digest', statement(SLSA_PROVENANCE_V02, { materials: [{ uri: 'x', digest: { sha256: 1 } }] }), 'digest["sha256"]'],
    ['a numeric uri', statement(SLSA_PROVENANCE_V02, { materials: [{ uri: 5 }] }), 'materials[0].uri'],
    [
      'a DSSE envelope with another payload type',
      { payloadType: 'text/plain', payload: 'e30=', signatures: [] },
      'payloadType must be application/vnd.in-toto+json',
    ],
    ['a DSSE envelope with bad base64', { payloadType: 'application/vnd.in-toto+json', payload: '%%%' }, 'base64'],
  ])('rejects %s', (_name, document, fragment) => {
    const error = errorOf(() => parseProvenanceStatement(bytes(document)));
    expect(error.code).toBe('INVALID_PROVENANCE');
    expect(error.message).toContain(fragment);
  });

  it('never throws anything but OciFormatError', () => {
    const onlyOciErrors = (run: () => unknown): boolean => {
      try {
        run();
      } catch (error) {
        return error instanceof OciFormatError;
      }
      return true;
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (input) => onlyOciErrors(() => parseProvenanceStatement(input))), { numRuns: 300 });
    fc.assert(fc.property(fc.jsonValue(), (value) => onlyOciErrors(() => parseProvenanceStatement(bytes(value)))), { numRuns: 300 });
    const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    const material = fc.record({ uri: fc.oneof(fc.string(), anyValue), digest: fc.oneof(fc.dictionary(fc.string(), fc.string()), anyValue) }, { requiredKeys: [] });
    const document = fc.record(
      {
        _type: fc.oneof(fc.constantFrom('https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'), anyValue),
        predicateType: fc.oneof(fc.constantFrom(SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1), anyValue),
        predicate: fc.oneof(
          fc.record({ materials: fc.oneof(fc.array(material), anyValue), buildDefinition: fc.oneof(fc.record({ resolvedDependencies: fc.oneof(fc.array(material), anyValue) }), anyValue) }, { requiredKeys: [] }),
          anyValue,
        ),
        payloadType: fc.oneof(fc.constant('application/vnd.in-toto+json'), fc.constant(undefined)),
        payload: fc.oneof(fc.base64String(), anyValue),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(document, (value) => onlyOciErrors(() => parseProvenanceStatement(bytes(value)))), { numRuns: 1000 });
  });
});

describe('findProvenanceLayer', () => {
  const parsed = parseManifest(bytes(attestationManifestJson));
  if (parsed.kind !== 'manifest') throw new Error('expected a manifest');
  const manifest: ImageManifest = parsed;

  it('picks the SLSA layer, not the SPDX one', () => {
    expect(findProvenanceLayer(manifest)?.annotations?.['in-toto.io/predicate-type']).toBe('https://slsa.dev/provenance/v0.2');
  });

  it('returns undefined when there is no provenance layer', () => {
    const sbomOnly: ImageManifest = { ...manifest, layers: manifest.layers.slice(0, 1) };
    expect(findProvenanceLayer(sbomOnly)).toBeUndefined();
    const wrongType: ImageManifest = {
      ...manifest,
      layers: manifest.layers.map((layer) => ({ ...layer, mediaType: 'application/json' })),
    };
    expect(findProvenanceLayer(wrongType)).toBeUndefined();
  });
});

describe('imageFromMaterialUri', () => {
  it.each<[string, string | undefined]>([
    ['pkg:docker/golang@1.22?platform=linux%2Famd64', 'golang:1.22'],
    ['pkg:docker/docker/dockerfile@1', 'docker/dockerfile:1'],
    ['pkg:docker/maven@3.9-eclipse-temurin-21?platform=linux%2Farm64%2Fv8', 'maven:3.9-eclipse-temurin-21'],
    [`pkg:docker/ghcr.io/org/app@v1?digest=sha256:${HEX}&platform=linux%2Famd64`, `ghcr.io/org/app:v1@sha256:${HEX}`],
    [`pkg:docker/alpine?digest=sha256%3A${HEX}`, `alpine@sha256:${HEX}`],
    [`pkg:docker/alpine@sha256%3A${HEX}`, `alpine@sha256:${HEX}`],
    [`pkg:docker/alpine@sha256:${HEX}`, `alpine@sha256:${HEX}`],
    ['pkg:docker/localhost%3A5000/team/app@dev', 'localhost:5000/team/app:dev'],
    ['pkg:docker/busybox', 'busybox:latest'],
    ['https://github.com/example/app.git#refs/heads/main', undefined],
    ['pkg:npm/left-pad@1.3.0', undefined],
    ['pkg:docker/', undefined],
    ['pkg:docker//golang@1', undefined],
    ['pkg:docker/%E0%A4%A@1', undefined],
  ])('%s -> %s', (uri, expected) => {
    expect(imageFromMaterialUri(uri)).toBe(expected);
  });
});

describe('platformFromMaterialUri', () => {
  it('decodes the platform qualifier', () => {
    expect(platformFromMaterialUri('pkg:docker/golang@1.22?platform=linux%2Famd64')).toBe('linux/amd64');
    expect(platformFromMaterialUri(`pkg:docker/a@1?digest=sha256:${HEX}&platform=linux%2Farm64%2Fv8`)).toBe('linux/arm64/v8');
    expect(platformFromMaterialUri('pkg:docker/golang@1.22')).toBeUndefined();
    expect(platformFromMaterialUri('https://example.com/?platform=linux%2Famd64')).toBeUndefined();
  });
});
