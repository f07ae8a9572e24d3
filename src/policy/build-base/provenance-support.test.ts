import { describe, expect, it } from 'vitest';
import { builderOnlyNotes, provenanceImages, provenanceSupport } from './provenance-support.js';
import type { BuildBaseFacts } from './types.js';

const withMaterials = (uris: string[]): BuildBaseFacts => ({
  reference: 'registry.example.com/app:1',
  env: [],
  labels: {},
  annotations: {},
  history: [],
  diffIds: [],
  layers: [],
  provenance: { predicateType: 'https://slsa.dev/provenance/v0.2', materials: uris.map((uri) => ({ uri, digest: { sha256: 'ab'.repeat(32) } })) },
});

describe('provenanceImages', () => {
  it('reads BuildKit package URLs and skips non-image materials', () => {
    const images = provenanceImages(
      withMaterials([
        'pkg:docker/golang@1.22?platform=linux%2Famd64',
        'pkg:docker/gcr.io/distroless/static-debian12@nonroot?platform=linux%2Farm64%2Fv8',
        'pkg:docker/docker/dockerfile@1',
        'pkg:docker/alpine@sha256%3A0123?platform=linux%2Famd64',
        'docker-image://maven:3.9-eclipse-temurin-21',
        'https://github.com/acme/app.git#refs/heads/main',
      ]),
    );
    expect(images.map((image) => image.name)).toEqual([
      'golang:1.22',
      'gcr.io/distroless/static-debian12:nonroot',
      'docker/dockerfile:1',
      'alpine@sha256:0123',
      'maven:3.9-eclipse-temurin-21',
    ]);
    expect(images[0]).toMatchObject({ digest: `sha256:${'ab'.repeat(32)}`, classification: { kind: 'build', ecosystem: 'go' } });
  });

  it('returns nothing without provenance', () => {
    expect(provenanceImages({ ...withMaterials([]), provenance: undefined } as BuildBaseFacts)).toEqual([]);
  });
});

describe('provenanceSupport', () => {
  const images = provenanceImages(withMaterials(['pkg:docker/golang@1.22', 'pkg:docker/eclipse-temurin@21-jre']));

  it('supports a finding of the same ecosystem or repository', () => {
    expect(provenanceSupport({ ecosystem: 'go', baseNames: ['golang:1.22'] }, images, undefined).supported).toBe(true);
    expect(provenanceSupport({ ecosystem: 'c', baseNames: ['golang:1.23'] }, images, undefined).supported).toBe(true);
  });

  it('does not support a finding no material relates to', () => {
    const support = provenanceSupport({ ecosystem: 'node', baseNames: ['node:20'] }, images, undefined);
    expect(support).toEqual({ supported: false, evidence: [] });
  });

  it('supports a finding when a material is the image the final stage was built FROM', () => {
    const support = provenanceSupport({ ecosystem: 'node', baseNames: ['build tools (gcc)'] }, images, `sha256:${'ab'.repeat(32)}`);
    expect(support.supported).toBe(true);
    expect(support.evidence[0]?.detail).toContain('built FROM');
  });

  it('explains builder-only materials without counting runtime ones', () => {
    expect(builderOnlyNotes(images).map((note) => note.detail)).toEqual([expect.stringContaining('golang:1.22') as string]);
  });
});
