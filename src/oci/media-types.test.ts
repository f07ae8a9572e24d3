import { describe, expect, it } from 'vitest';
import {
  bareMediaType,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1_MANIFEST,
  DOCKER_SCHEMA1_SIGNED_MANIFEST,
  IN_TOTO,
  isIndexMediaType,
  isManifestMediaType,
  isSchema1MediaType,
  MANIFEST_ACCEPT,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
} from './media-types.js';

describe('media types', () => {
  it('have the spec values', () => {
    expect(OCI_INDEX).toBe('application/vnd.oci.image.index.v1+json');
    expect(OCI_MANIFEST).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(OCI_CONFIG).toBe('application/vnd.oci.image.config.v1+json');
    expect(DOCKER_MANIFEST_LIST).toBe('application/vnd.docker.distribution.manifest.list.v2+json');
    expect(DOCKER_MANIFEST).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(DOCKER_SCHEMA1_SIGNED_MANIFEST).toBe('application/vnd.docker.distribution.manifest.v1+prettyjws');
    expect(IN_TOTO).toBe('application/vnd.in-toto+json');
  });

  it('accepts indexes first and never schema 1', () => {
    expect(MANIFEST_ACCEPT).toEqual([OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST]);
    expect(MANIFEST_ACCEPT).not.toContain(DOCKER_SCHEMA1_MANIFEST);
    expect(MANIFEST_ACCEPT).not.toContain(DOCKER_SCHEMA1_SIGNED_MANIFEST);
  });

  it('classifies index, manifest and schema 1 types', () => {
    expect(isIndexMediaType(OCI_INDEX)).toBe(true);
    expect(isIndexMediaType(DOCKER_MANIFEST_LIST)).toBe(true);
    expect(isIndexMediaType(OCI_MANIFEST)).toBe(false);
    expect(isManifestMediaType(OCI_MANIFEST)).toBe(true);
    expect(isManifestMediaType(DOCKER_MANIFEST)).toBe(true);
    expect(isManifestMediaType(DOCKER_SCHEMA1_SIGNED_MANIFEST)).toBe(false);
    expect(isManifestMediaType(OCI_CONFIG)).toBe(false);
    expect(isSchema1MediaType(DOCKER_SCHEMA1_MANIFEST)).toBe(true);
    expect(isSchema1MediaType(DOCKER_SCHEMA1_SIGNED_MANIFEST)).toBe(true);
    expect(isSchema1MediaType(DOCKER_MANIFEST)).toBe(false);
  });

  it('strips Content-Type parameters and case', () => {
    expect(bareMediaType('Application/VND.OCI.Image.Index.v1+json; charset=utf-8')).toBe(OCI_INDEX);
    expect(bareMediaType('  application/json ')).toBe('application/json');
    expect(bareMediaType('')).toBe('');
  });
});
