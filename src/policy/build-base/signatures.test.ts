import { describe, expect, it } from 'vitest';
import { BUILDPACK_DEPS_INSTALL, BUILT_IN_SIGNATURES, buildToolFor, javaMajor, versionPrefix } from './signatures.js';

describe('signature helpers', () => {
  it('cuts versions', () => {
    expect(versionPrefix('1.22.6', 2)).toBe('1.22');
    expect(versionPrefix('20.18.1', 1)).toBe('20');
    expect(versionPrefix('v3.3.8', 2)).toBe('3.3');
    expect(versionPrefix('latest', 2)).toBeUndefined();
    expect(versionPrefix(undefined, 2)).toBeUndefined();
  });

  it.each([
    ['jdk-21.0.4+7', '21'],
    ['jdk-17.0.12+7', '17'],
    ['21.0.1', '21'],
    ['15-ea+28', '15'],
    ['jdk8u412-b08', '8'],
    ['1.8.0_412', '8'],
    ['11', '11'],
  ])('reads the Java feature release of %s', (version, major) => {
    expect(javaMajor(version)).toBe(major);
  });

  it('tells compilers and SDKs from other build tools', () => {
    expect(buildToolFor('gcc')?.tool).toBe('gcc');
    expect(buildToolFor('openjdk17')?.ecosystem).toBe('java');
    expect(buildToolFor('openjdk17-jre')).toBeUndefined();
    expect(buildToolFor('openjdk-17-jre-headless')).toBeUndefined();
    expect(buildToolFor('amazon-corretto-21')?.ecosystem).toBe('java');
    expect(buildToolFor('make')).toBeUndefined();
    expect(buildToolFor('libc6-dev')).toBeUndefined();
    expect(buildToolFor('gcc-12-base')).toBeUndefined();
  });

  it('recognises the buildpack-deps compiler layer, not a RUN that merely installs gcc', () => {
    expect(BUILDPACK_DEPS_INSTALL.test('apt-get install -y autoconf g++ gcc libc6-dev libmagickwand-dev make')).toBe(true);
    expect(BUILDPACK_DEPS_INSTALL.test('apt-get install -y g++ gcc libc6-dev make pkg-config')).toBe(false);
  });

  it('gives every built-in signature a pattern, a source and a unique id', () => {
    const ids = BUILT_IN_SIGNATURES.map((signature) => signature.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const signature of BUILT_IN_SIGNATURES) {
      expect((signature.env?.length ?? 0) + (signature.history?.length ?? 0), signature.id).toBeGreaterThan(0);
      expect(signature.source.length, signature.id).toBeGreaterThan(10);
    }
  });
});
