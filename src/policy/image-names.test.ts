import { describe, expect, it } from 'vitest';
import { familiarReference, matchesImage, repositoryName } from './image-names.js';

describe('familiarReference', () => {
  it.each([
    ['docker.io/library/nginx:1.27', 'nginx:1.27'],
    ['docker.io/library/nginx@sha256:abc', 'nginx@sha256:abc'],
    ['docker.io/bitnami/redis:7.2', 'bitnami/redis:7.2'],
    ['docker.io/library/foo/bar:1', 'library/foo/bar:1'],
    ['ghcr.io/acme/api:1.0', 'ghcr.io/acme/api:1.0'],
    ['localhost:5000/app:dev', 'localhost:5000/app:dev'],
  ])('%s -> %s', (reference, familiar) => {
    expect(familiarReference(reference)).toBe(familiar);
  });
});

describe('repositoryName', () => {
  it.each([
    ['ghcr.io/acme/api:1.0', 'ghcr.io/acme/api'],
    ['ghcr.io/acme/api:1.0@sha256:abc', 'ghcr.io/acme/api'],
    ['localhost:5000/app', 'localhost:5000/app'],
    ['localhost:5000/app:dev', 'localhost:5000/app'],
    ['nginx', 'nginx'],
  ])('%s -> %s', (reference, name) => {
    expect(repositoryName(reference)).toBe(name);
  });
});

describe('matchesImage', () => {
  const nginx = 'docker.io/library/nginx:1.27';
  it.each([
    [['nginx:1.27'], nginx, true],
    [['nginx:*'], nginx, true],
    [['nginx'], nginx, true], // a repository covers all its tags
    [['docker.io/library/nginx:1.27'], nginx, true],
    [['docker.io/library/*'], nginx, true],
    [['docker.io/**'], nginx, true],
    [['nginx:1.26'], nginx, false],
    [['ngin'], nginx, false],
    [['redis'], nginx, false],
    [['ghcr.io/acme/*'], 'ghcr.io/acme/api:1.0', true],
    [['ghcr.io/acme/api'], 'ghcr.io/acme/api@sha256:0123', true],
    [['ghcr.io/acme/*'], 'ghcr.io/acme/team/api:1.0', false],
    [['bitnami/*'], 'docker.io/bitnami/redis:7', true],
  ] as const)('%j vs %s -> %s', (patterns, reference, expected) => {
    expect(matchesImage(patterns, reference)).toBe(expected);
  });
});
