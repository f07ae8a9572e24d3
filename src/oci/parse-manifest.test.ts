import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OciFormatError } from './errors.js';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1_SIGNED_MANIFEST,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.js';
import { parseManifest } from './parse-manifest.js';
import attestationManifest from './testdata/attestation-manifest.json' with { type: 'json' };
import dockerManifest from './testdata/docker-schema2-manifest.json' with { type: 'json' };
import golangIndex from './testdata/golang-index.json' with { type: 'json' };
import schema1Manifest from './testdata/schema1-signed-manifest.json' with { type: 'json' };
import windowsManifest from './testdata/windows-schema2-manifest.json' with { type: 'json' };
import { bytes, errorOf } from './test-helpers.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const CONFIG_DIGEST = `sha256:${'cd'.repeat(32)}`;

function ociManifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: CONFIG_DIGEST, size: 1469 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST, size: 3623807 }],
    ...extra,
  };
}

describe('parseManifest: real documents', () => {
  it('reads the golang index with BuildKit attestations and Windows entries', () => {
    const index = parseManifest(bytes(golangIndex), OCI_INDEX);
    if (index.kind !== 'index') throw new Error('expected an index');
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.manifests).toHaveLength(18);
    expect(index.manifests[0]).toMatchObject({
      mediaType: OCI_MANIFEST,
      platform: { os: 'linux', architecture: 'amd64' },
      size: 2324,
    });
    expect(index.manifests[0]?.annotations?.['org.opencontainers.image.base.name']).toBe('buildpack-deps:bookworm-scm');
    expect(index.manifests[1]?.platform).toEqual({ os: 'unknown', architecture: 'unknown' });
    expect(index.manifests[1]?.annotations?.['vnd.docker.reference.type']).toBe('attestation-manifest');
    const windows = index.manifests.filter((entry) => entry.platform?.os === 'windows');
    expect(windows.map((entry) => entry.platform?.['os.version'])).toEqual(['10.0.20348.2582', '10.0.17763.6054']);
    expect(windows[0]?.mediaType).toBe(DOCKER_MANIFEST);
  });

  it('reads a Docker schema 2 manifest', () => {
    const manifest = parseManifest(bytes(dockerManifest), `${DOCKER_MANIFEST}`);
    if (manifest.kind !== 'manifest') throw new Error('expected a manifest');
    expect(manifest.mediaType).toBe(DOCKER_MANIFEST);
    expect(manifest.config.mediaType).toBe('application/vnd.docker.container.image.v1+json');
    expect(manifest.layers.map((layer) => layer.size)).toEqual([27092228, 23921425, 202]);
  });

  it('keeps the urls of Windows foreign layers', () => {
    const manifest = parseManifest(bytes(windowsManifest));
    if (manifest.kind !== 'manifest') throw new Error('expected a manifest');
    expect(manifest.layers[0]?.mediaType).toBe('application/vnd.docker.image.rootfs.foreign.diff.tar.gzip');
    expect(manifest.layers[0]?.urls?.[0]).toMatch(/^https:\/\/mcr\.microsoft\.com\//);
  });

  it('reads a BuildKit attestation manifest with annotated in-toto layers', () => {
    const manifest = parseManifest(bytes(attestationManifest));
    if (manifest.kind !== 'manifest') throw new Error('expected a manifest');
    expect(manifest.layers.map((layer) => layer.annotations?.['in-toto.io/predicate-type'])).toEqual([
      'https://spdx.dev/Document',
      'https://slsa.dev/provenance/v0.2',
    ]);
  });

  it('reads an OCI artifact whose config is not an image config (Helm chart)', () => {
    const manifest = parseManifest(
      bytes(
        ociManifest({
          config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: CONFIG_DIGEST, size: 117 },
          layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: DIGEST, size: 3561 }],
        }),
      ),
    );
    expect(manifest.kind).toBe('manifest');
    if (manifest.kind === 'manifest') expect(manifest.config.mediaType).toBe('application/vnd.cncf.helm.config.v1+json');
  });

  it('keeps subject, artifactType and annotations and drops unknown fields', () => {
    const manifest = parseManifest(
      bytes(
        ociManifest({
          artifactType: 'application/vnd.example.sbom',
          subject: { mediaType: OCI_MANIFEST, digest: DIGEST, size: 7 },
          annotations: { 'org.opencontainers.image.created': '2024-07-01T00:00:00Z' },
          somethingElse: { big: true },
        }),
      ),
    );
    expect(manifest).toEqual({
      kind: 'manifest',
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: CONFIG_DIGEST, size: 1469 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: DIGEST, size: 3623807 }],
      subject: { mediaType: OCI_MANIFEST, digest: DIGEST, size: 7 },
      annotations: { 'org.opencontainers.image.created': '2024-07-01T00:00:00Z' },
    });
  });
});

describe('parseManifest: deciding the media type', () => {
  const { mediaType: _omitted, ...bareManifest } = ociManifest();
  const bareIndex = { schemaVersion: 2, manifests: [{ mediaType: OCI_MANIFEST, digest: DIGEST, size: 10 }] };

  it('uses the Content-Type header when the body has no mediaType', () => {
    expect(parseManifest(bytes(bareIndex), `${DOCKER_MANIFEST_LIST}; charset=utf-8`).mediaType).toBe(DOCKER_MANIFEST_LIST);
    expect(parseManifest(bytes(bareManifest), DOCKER_MANIFEST).mediaType).toBe(DOCKER_MANIFEST);
  });

  it('falls back to the shape when neither says, ignoring generic content types', () => {
    expect(parseManifest(bytes(bareIndex)).mediaType).toBe(OCI_INDEX);
    expect(parseManifest(bytes(bareIndex), 'application/json').kind).toBe('index');
    expect(parseManifest(bytes(bareManifest), 'application/octet-stream').mediaType).toBe(OCI_MANIFEST);
  });

  it('lets the body win over a header of the same kind', () => {
    expect(parseManifest(bytes(ociManifest()), DOCKER_MANIFEST).mediaType).toBe(OCI_MANIFEST);
  });

  it('rejects a body and header that disagree about index versus manifest', () => {
    const error = errorOf(() => parseManifest(bytes({ ...bareIndex, mediaType: OCI_INDEX }), OCI_MANIFEST));
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toContain('multi-platform index');
    expect(error.message).toContain('single-platform image manifest');
  });

  it('rejects a document that is both index- and manifest-shaped with nothing to decide', () => {
    expect(errorOf(() => parseManifest(bytes({ ...bareManifest, manifests: [] }))).message).toContain('ambiguous');
  });

  it('rejects a document that is neither', () => {
    expect(errorOf(() => parseManifest(bytes({ schemaVersion: 2 }))).code).toBe('INVALID_MANIFEST');
  });

  it('names unsupported media types from the body or the header', () => {
    const artifact = errorOf(() => parseManifest(bytes(ociManifest({ mediaType: 'application/vnd.oci.artifact.manifest.v1+json' }))));
    expect(artifact.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(artifact.message).toContain('"application/vnd.oci.artifact.manifest.v1+json"');
    const header = errorOf(() => parseManifest(bytes(bareManifest), 'application/vnd.cncf.helm.chart.v1+json'));
    expect(header.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(header.message).toContain('application/vnd.cncf.helm.chart.v1+json');
  });
});

describe('parseManifest: schema 1', () => {
  const expected =
    'manifest is Docker schema 1 (application/vnd.docker.distribution.manifest.v1+prettyjws), which is deprecated ' +
    'and not supported: re-push the image with a current Docker/buildah/crane';

  it('rejects a signed schema 1 manifest with an actionable message', () => {
    const error = errorOf(() => parseManifest(bytes(schema1Manifest), DOCKER_SCHEMA1_SIGNED_MANIFEST));
    expect(error.code).toBe('SCHEMA1_UNSUPPORTED');
    expect(error.message).toBe(expected);
  });

  it('recognises schema 1 by shape without a header', () => {
    expect(errorOf(() => parseManifest(bytes(schema1Manifest))).code).toBe('SCHEMA1_UNSUPPORTED');
    expect(errorOf(() => parseManifest(bytes({ fsLayers: [], signatures: [] }))).code).toBe('SCHEMA1_UNSUPPORTED');
  });

  it('recognises schema 1 by the body mediaType or the header', () => {
    const unsigned = errorOf(() =>
      parseManifest(bytes({ mediaType: 'application/vnd.docker.distribution.manifest.v1+json', schemaVersion: 1 })),
    );
    expect(unsigned.code).toBe('SCHEMA1_UNSUPPORTED');
    expect(unsigned.message).toContain('application/vnd.docker.distribution.manifest.v1+json');
    expect(errorOf(() => parseManifest(bytes({ name: 'x' }), `${DOCKER_SCHEMA1_SIGNED_MANIFEST}`)).code).toBe(
      'SCHEMA1_UNSUPPORTED',
    );
  });
});

describe('parseManifest: invalid documents', () => {
  it.each([
    ['empty body', ''],
    ['not JSON', '<html>502 Bad Gateway</html>'],
    ['truncated JSON', '{"schemaVersion": 2, "manifests": ['],
    ['an array', '[]'],
    ['null', 'null'],
    ['a string', '"manifest"'],
  ])('rejects %s', (_name, text) => {
    expect(errorOf(() => parseManifest(bytes(text))).code).toBe('INVALID_MANIFEST');
  });

  it('rejects absurdly deep nesting as an invalid manifest', () => {
    const deep = `{"schemaVersion":2,"manifests":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(errorOf(() => parseManifest(bytes(deep))).code).toBe('INVALID_MANIFEST');
  });

  it('rejects invalid UTF-8', () => {
    const error = errorOf(() => parseManifest(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])));
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toContain('UTF-8');
  });

  it.each([
    ['schemaVersion 3', ociManifest({ schemaVersion: 3 }), 'schemaVersion must be 2'],
    ['missing schemaVersion', ociManifest({ schemaVersion: undefined }), 'schemaVersion must be 2'],
    ['missing config', ociManifest({ config: undefined }), 'config is missing'],
    ['layers not an array', ociManifest({ layers: {} }), 'layers must be an array'],
    ['missing layers', ociManifest({ layers: undefined }), 'layers is missing'],
    [
      'upper-case digest',
      ociManifest({ layers: [{ mediaType: 'x/y', digest: DIGEST.toUpperCase(), size: 1 }] }),
      'layers[0].digest is not valid',
    ],
    ['negative size', ociManifest({ layers: [{ mediaType: 'x/y', digest: DIGEST, size: -1 }] }), 'layers[0].size'],
    ['fractional size', ociManifest({ layers: [{ mediaType: 'x/y', digest: DIGEST, size: 1.5 }] }), 'layers[0].size'],
    ['size as string', ociManifest({ layers: [{ mediaType: 'x/y', digest: DIGEST, size: '12' }] }), 'layers[0].size'],
    ['unsafe size', ociManifest({ layers: [{ mediaType: 'x/y', digest: DIGEST, size: 2 ** 53 }] }), 'layers[0].size'],
    ['missing mediaType', ociManifest({ layers: [{ digest: DIGEST, size: 1 }] }), 'layers[0].mediaType'],
    ['non-string annotation', ociManifest({ annotations: { a: 1 } }), 'annotations["a"]'],
    ['non-string mediaType', ociManifest({ mediaType: 7 }), 'mediaType must be a string'],
    ['urls not strings', ociManifest({ layers: [{ mediaType: 'x/y', digest: DIGEST, size: 1, urls: [1] }] }), 'urls[0]'],
  ])('rejects %s', (_name, document, fragment) => {
    const error = errorOf(() => parseManifest(bytes(document)));
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toContain(fragment);
  });

  it('rejects index entries with a malformed platform', () => {
    const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: DIGEST, size: 1, platform: { os: 'linux' } }] };
    const error = errorOf(() => parseManifest(bytes(index)));
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toContain('manifests[0].platform.architecture');
  });

  it('keeps a "__proto__" annotation as a plain key', () => {
    const text = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[],"annotations":{"__proto__":"x","constructor":"y"}}`;
    const index = parseManifest(bytes(text));
    expect(Object.getPrototypeOf(index.annotations)).toBe(Object.prototype);
    expect(Object.hasOwn(index.annotations ?? {}, '__proto__')).toBe(true);
    expect(index.annotations?.constructor).toBe('y');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});

describe('parseManifest: never throws anything but OciFormatError', () => {
  const contentTypes = fc.option(
    fc.constantFrom(OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_SCHEMA1_SIGNED_MANIFEST, 'application/json', 'x/y'),
    { nil: undefined },
  );
  function onlyOciErrors(run: () => unknown): boolean {
    try {
      run();
    } catch (error) {
      return error instanceof OciFormatError;
    }
    return true;
  }

  it('for arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), contentTypes, (input, type) => onlyOciErrors(() => parseManifest(input, type))), {
      numRuns: 500,
    });
  });

  it('for arbitrary JSON', () => {
    fc.assert(fc.property(fc.jsonValue(), contentTypes, (value, type) => onlyOciErrors(() => parseManifest(bytes(value), type))), {
      numRuns: 500,
    });
  });

  it('for documents that are nearly manifests and indexes', () => {
    const anyValue = fc.oneof(fc.jsonValue(), fc.constant(undefined));
    const descriptor = fc.record(
      {
        mediaType: fc.oneof(fc.constantFrom(OCI_MANIFEST, 'x/y'), anyValue),
        digest: fc.oneof(fc.constant(DIGEST), anyValue),
        size: fc.oneof(fc.integer(), fc.double(), anyValue),
        annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), anyValue),
        platform: fc.oneof(fc.record({ os: fc.string(), architecture: fc.string(), variant: anyValue }), anyValue),
        urls: anyValue,
      },
      { requiredKeys: [] },
    );
    const document = fc.record(
      {
        schemaVersion: fc.oneof(fc.constantFrom(1, 2), anyValue),
        mediaType: fc.oneof(fc.constantFrom(OCI_INDEX, OCI_MANIFEST, DOCKER_SCHEMA1_SIGNED_MANIFEST), anyValue),
        manifests: fc.oneof(fc.array(descriptor, { maxLength: 4 }), anyValue),
        config: fc.oneof(descriptor, anyValue),
        layers: fc.oneof(fc.array(descriptor, { maxLength: 4 }), anyValue),
        subject: fc.oneof(descriptor, anyValue),
        annotations: anyValue,
        fsLayers: anyValue,
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(document, contentTypes, (value, type) => onlyOciErrors(() => parseManifest(bytes(value), type))), {
      numRuns: 1000,
    });
  });
});
