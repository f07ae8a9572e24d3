// slimguard's own expectations of the reference API (the upstream tables are in reference.test.ts,
// normalize.test.ts, regexp.test.ts, digest.test.ts and golden.test.ts).
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError, type InvalidReferenceErrorCode } from './errors.js';
import {
  DEFAULT_DOMAIN,
  isDigest,
  isIdentifier,
  parseDockerRef,
  parseReference,
  withDefaultTag,
  withDigest,
  withoutTagOrDigest,
  withTag,
} from './index.js';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

function errorOf(fn: () => unknown): InvalidReferenceError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidReferenceError) return error;
    throw error;
  }
  throw new Error('expected an InvalidReferenceError');
}

describe('parseReference', () => {
  it('normalizes an official image to docker.io/library', () => {
    const ref = parseReference('nginx');
    expect({ ...ref }).toEqual({
      domain: 'docker.io',
      path: 'library/nginx',
      name: 'docker.io/library/nginx',
      familiarName: 'nginx',
    });
    expect(ref.tag).toBeUndefined();
    expect(ref.digest).toBeUndefined();
    expect(ref.toString()).toBe('docker.io/library/nginx');
    expect(ref.familiarString()).toBe('nginx');
    expect(DEFAULT_DOMAIN).toBe('docker.io');
  });

  it('keeps a tag and a digest together', () => {
    const ref = parseReference(`nginx:1.27@${DIGEST}`);
    expect(ref.tag).toBe('1.27');
    expect(ref.digest).toBe(DIGEST);
    expect(ref.toString()).toBe(`docker.io/library/nginx:1.27@${DIGEST}`);
    expect(ref.familiarString()).toBe(`nginx:1.27@${DIGEST}`);
  });

  it.each([
    ['bitnami/redis:7', 'docker.io', 'bitnami/redis', 'bitnami/redis'],
    ['index.docker.io/nginx', 'docker.io', 'library/nginx', 'nginx'],
    ['docker.io/library/nginx', 'docker.io', 'library/nginx', 'nginx'],
    ['docker.io/library/a/b', 'docker.io', 'library/a/b', 'library/a/b'],
    ['registry-1.docker.io/library/nginx', 'registry-1.docker.io', 'library/nginx', 'registry-1.docker.io/library/nginx'],
    ['localhost/app', 'localhost', 'app', 'localhost/app'],
    ['localhost:5000/team/app:v1', 'localhost:5000', 'team/app', 'localhost:5000/team/app'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', 'app', '127.0.0.1:5000/app'],
    ['[::1]:5000/app', '[::1]:5000', 'app', '[::1]:5000/app'],
    ['[2001:db8::1]/app', '[2001:db8::1]', 'app', '[2001:db8::1]/app'],
    ['ghcr.io/org/team/app', 'ghcr.io', 'org/team/app', 'ghcr.io/org/team/app'],
    // Upper case is allowed in the registry host, which is then taken as a domain.
    ['Registry.Example.com/app', 'Registry.Example.com', 'app', 'Registry.Example.com/app'],
    ['LOCALDOMAIN/app', 'LOCALDOMAIN', 'app', 'LOCALDOMAIN/app'],
    // Without '.', ':' or upper case the first component is a Docker Hub namespace.
    ['myregistry/app', 'docker.io', 'myregistry/app', 'myregistry/app'],
  ])('%s', (text, domain, path, familiarName) => {
    const ref = parseReference(text);
    expect(ref.domain).toBe(domain);
    expect(ref.path).toBe(path);
    expect(ref.name).toBe(`${domain}/${path}`);
    expect(ref.familiarName).toBe(familiarName);
  });

  it.each<[string, InvalidReferenceErrorCode]>([
    ['', 'REFERENCE_INVALID_FORMAT'],
    ['example.com/App', 'NAME_CONTAINS_UPPERCASE'],
    ['Nginx', 'NAME_CONTAINS_UPPERCASE'],
    ['0123456789abcdef'.repeat(4), 'NAME_IS_IDENTIFIER'],
    [`example.com/${'a'.repeat(256)}`, 'NAME_TOO_LONG'],
    // On Docker Hub "library/" counts towards the 255 characters.
    ['a'.repeat(248), 'NAME_TOO_LONG'],
    [`nginx@sha256:${'f'.repeat(63)}`, 'DIGEST_INVALID_LENGTH'],
    [`nginx@sha256:${'F'.repeat(64)}`, 'DIGEST_INVALID_FORMAT'],
    [`nginx@md5:${'f'.repeat(32)}`, 'DIGEST_UNSUPPORTED'],
    ['nginx:-x', 'REFERENCE_INVALID_FORMAT'],
    ['[::1]:5000', 'REFERENCE_INVALID_FORMAT'],
    ['[fe80::1%eth0]:5000/app', 'REFERENCE_INVALID_FORMAT'],
    ['https://ghcr.io/app', 'REFERENCE_INVALID_FORMAT'],
  ])('rejects %j with %s', (text, code) => {
    const error = errorOf(() => parseReference(text));
    expect(error.code).toBe(code);
    expect(error.input).toBe(text);
  });

  it('reads a bare host:port as an official image with a tag, as upstream does', () => {
    // Upstream FIXME in splitDockerDomain: a single element is never taken as a domain.
    expect(parseReference('localhost:5000').toString()).toBe('docker.io/library/localhost:5000');
  });

  it('accepts the longest allowed path', () => {
    expect(parseReference('a'.repeat(247)).path).toHaveLength(255);
    expect(parseReference(`example.com/${'a'.repeat(255)}`).path).toHaveLength(255);
  });

  it('returns equal references for equivalent spellings', () => {
    expect(parseReference('nginx')).toEqual(parseReference('index.docker.io/library/nginx'));
    expect(parseReference('nginx')).not.toEqual(parseReference('nginx:latest'));
  });

  it('returns frozen references that serialize as their string', () => {
    const ref = parseReference('nginx:1.27');
    expect(Object.isFrozen(ref)).toBe(true);
    expect(JSON.stringify({ image: ref })).toBe('{"image":"docker.io/library/nginx:1.27"}');
    expect(`${ref}`).toBe('docker.io/library/nginx:1.27');
  });

  it('fails like any bad reference on a value that is not a string', () => {
    for (const value of [null, undefined, 42, {}]) {
      const error = errorOf(() => parseReference(value as unknown as string));
      expect(error.code).toBe('REFERENCE_INVALID_FORMAT');
      expect(error.message).toMatch(/a reference must be a string/);
    }
  });
});

describe('error messages', () => {
  it('quote the input and say what is wrong', () => {
    const error = errorOf(() => parseReference('example.com/Foo/bar'));
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('InvalidReferenceError');
    expect(error.message).toBe(
      'invalid reference "example.com/Foo/bar": repository name must be lowercase (upper case is allowed only in the registry host)',
    );
  });

  it('name the user’s text, not the normalized one', () => {
    expect(errorOf(() => parseReference('nginx:-x')).message).toMatch(/^invalid reference "nginx:-x": /);
  });

  it.each([
    ['nginx:-x', /tag "-x" must be 1 to 128 letters/],
    [`nginx:${'a'.repeat(129)}`, /tag "a+…" must be 1 to 128/],
    ['nginx@sha256:abc', /digest "sha256:abc" is not algorithm:hex with at least 32 hex digits/],
    [`a@b@${DIGEST}`, /more than one '@'/],
    ['ghcr.io:http/app', /registry "ghcr.io:http" is not a valid host\[:port\]/],
    ['-a.com/app', /registry "-a.com" is not a valid host/],
    ['ghcr.io/a//b', /empty path component/],
    ['ghcr.io/app/', /empty path component/],
    ['ghcr.io/a..b', /path component "a..b" must be lower-case letters and digits/],
    ['my_registry/-app', /path component "-app"/],
    [':tag', /the repository name is missing/],
    ['0123456789abcdef'.repeat(4), /64-byte hexadecimal strings/],
    [`example.com/${'a'.repeat(256)}`, /not be more than 255 characters \(it has 256\)/],
    [`nginx@sha256:${'f'.repeat(63)}`, /sha256 needs 64 hex digits, got 63/],
    [`nginx@md5:${'f'.repeat(32)}`, /unsupported digest algorithm "md5"/],
  ])('explain %j', (text, pattern) => {
    expect(errorOf(() => parseReference(text)).message).toMatch(pattern);
  });

  it('cut long inputs and escape control characters, but keep the whole input on the error', () => {
    const text = `ghcr.io/${'a'.repeat(10_000)}\n`;
    const error = errorOf(() => parseReference(text));
    expect(error.message.length).toBeLessThan(600);
    expect(error.message).not.toContain('\n');
    expect(error.input).toBe(text);
  });

  it('carry a cause when given one', () => {
    const cause = new Error('root');
    expect(new InvalidReferenceError('NAME_EMPTY', '', { cause }).cause).toBe(cause);
    expect(new InvalidReferenceError('NAME_EMPTY', '').message).toBe(
      'invalid reference "": repository name must have at least one component',
    );
  });
});

describe('withDefaultTag', () => {
  it('adds latest to a bare name', () => {
    expect(withDefaultTag(parseReference('nginx')).toString()).toBe('docker.io/library/nginx:latest');
  });

  it('leaves a tag or a digest alone', () => {
    const tagged = parseReference('nginx:1.27');
    const digested = parseReference(`nginx@${DIGEST}`);
    expect(withDefaultTag(tagged)).toBe(tagged);
    expect(withDefaultTag(digested)).toBe(digested);
    expect(withDefaultTag(digested).tag).toBeUndefined();
  });
});

describe('parseDockerRef', () => {
  it('prefers the digest and drops the tag', () => {
    const ref = parseDockerRef(`ghcr.io/o/app:v1@${DIGEST}`);
    expect(ref.tag).toBeUndefined();
    expect(ref.toString()).toBe(`ghcr.io/o/app@${DIGEST}`);
  });
});

describe('withTag, withDigest, withoutTagOrDigest', () => {
  it('replace parts and keep the rest', () => {
    const ref = parseReference('ghcr.io/o/app:v1');
    const pinned = withDigest(ref, DIGEST);
    expect(pinned.toString()).toBe(`ghcr.io/o/app:v1@${DIGEST}`);
    expect(withTag(pinned, 'v2').toString()).toBe(`ghcr.io/o/app:v2@${DIGEST}`);
    expect(withoutTagOrDigest(pinned).toString()).toBe('ghcr.io/o/app');
    expect(ref.toString()).toBe('ghcr.io/o/app:v1');
  });

  it('reject a bad tag or digest', () => {
    const ref = parseReference('nginx');
    expect(errorOf(() => withTag(ref, 'a/b')).code).toBe('TAG_INVALID_FORMAT');
    expect(errorOf(() => withDigest(ref, 'sha256:abc')).code).toBe('DIGEST_INVALID_FORMAT');
  });
});

describe('isDigest and isIdentifier', () => {
  it('tell digests and image IDs from other text', () => {
    expect(isDigest(DIGEST)).toBe(true);
    expect(isDigest(`sha512:${'ab'.repeat(64)}`)).toBe(true);
    expect(isDigest('sha256:abc')).toBe(false);
    expect(isIdentifier(DIGEST.slice('sha256:'.length))).toBe(true);
    expect(isIdentifier(DIGEST)).toBe(false);
  });
});
