import { describe, expect, it } from 'vitest';
import { familiarName, parseImageName, tagTokens } from './image-name.js';

describe('parseImageName', () => {
  it.each([
    ['golang', { registry: 'docker.io', path: 'library/golang', familiarRepository: 'golang' }],
    ['golang:1.22', { registry: 'docker.io', path: 'library/golang', tag: '1.22' }],
    ['docker.io/library/golang:1.22', { familiarRepository: 'golang', repository: 'docker.io/library/golang', tag: '1.22' }],
    ['bitnami/redis:7', { registry: 'docker.io', path: 'bitnami/redis', familiarRepository: 'bitnami/redis' }],
    ['localhost:5000/app:dev', { registry: 'localhost:5000', path: 'app', tag: 'dev' }],
    ['gcr.io/distroless/static-debian12@sha256:abcd', { registry: 'gcr.io', path: 'distroless/static-debian12', digest: 'sha256:abcd' }],
    ['mirror.gcr.io/library/node:20', { familiarRepository: 'node', tag: '20' }],
    ['Docker.IO/Library/Golang:1.22-Alpine', { familiarRepository: 'golang', tag: '1.22-Alpine' }],
  ])('reads %s', (text, expected) => {
    expect(parseImageName(text)).toMatchObject(expected);
  });

  it('prints the familiar form with the tag, or the digest when there is no tag', () => {
    expect(familiarName(parseImageName('docker.io/library/golang:1.22'))).toBe('golang:1.22');
    expect(familiarName(parseImageName('golang@sha256:abcd'))).toBe('golang@sha256:abcd');
  });

  it('splits a tag into its words', () => {
    expect(tagTokens('3.12-slim-bookworm')).toEqual(['3.12', 'slim', 'bookworm']);
    expect(tagTokens(undefined)).toEqual([]);
  });
});
