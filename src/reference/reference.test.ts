// Port of reference_test.go from github.com/distribution/reference v0.6.0. Tables are copied in
// upstream order with upstream comments, so they can be diffed against the Go source; Go's error
// variables are written as InvalidReferenceError codes (ErrNameEmpty -> 'NAME_EMPTY', ...).
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError, type InvalidReferenceErrorCode } from './errors.js';
import { parseNamed, parseRaw } from './parse-reference.js';
import { withDigest, withName, withTag, type Reference } from './reference.js';

function codeOf(fn: () => unknown): InvalidReferenceErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidReferenceError);
    return (error as InvalidReferenceError).code;
  }
  return undefined;
}

describe('TestReferenceParse (Parse = parseRaw)', () => {
  // tests is a unified set of testcases for
  // testing the parsing of references
  const tests: {
    // input is the repository name or name component testcase
    input: string;
    // err is the error expected from Parse, or nil
    err?: InvalidReferenceErrorCode;
    // repository is the string representation for the reference
    repository?: string;
    // domain is the domain expected in the reference
    domain?: string;
    // tag is the tag for the reference
    tag?: string;
    // digest is the digest for the reference (enforces digest reference)
    digest?: string;
  }[] = [
    {
      input: "test_com",
      repository: "test_com",
    },
    {
      input: "test.com:tag",
      repository: "test.com",
      tag: "tag",
    },
    {
      input: "test.com:5000",
      repository: "test.com",
      tag: "5000",
    },
    {
      input: "test.com/repo:tag",
      domain: "test.com",
      repository: "test.com/repo",
      tag: "tag",
    },
    {
      input: "test:5000/repo",
      domain: "test:5000",
      repository: "test:5000/repo",
    },
    {
      input: "test:5000/repo:tag",
      domain: "test:5000",
      repository: "test:5000/repo",
      tag: "tag",
    },
    {
      input: "test:5000/repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      domain: "test:5000",
      repository: "test:5000/repo",
      digest: "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    },
    {
      input: "test:5000/repo:tag@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      domain: "test:5000",
      repository: "test:5000/repo",
      tag: "tag",
      digest: "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    },
    {
      input: "test:5000/repo",
      domain: "test:5000",
      repository: "test:5000/repo",
    },
    {
      input: "",
      err: 'NAME_EMPTY',
    },
    {
      input: ":justtag",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "repo@sha256:ffffffffffffffffffffffffffffffffff",
      err: 'DIGEST_INVALID_LENGTH',
    },
    {
      input: "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      err: 'DIGEST_UNSUPPORTED',
    },
    {
      input: "Uppercase:tag",
      err: 'NAME_CONTAINS_UPPERCASE',
    },
    // FIXME "Uppercase" is incorrectly handled as a domain-name here, therefore passes.
    // See https://github.com/distribution/distribution/pull/1778, and https://github.com/docker/docker/pull/20175
    // {
    //  input: "Uppercase/lowercase:tag",
    //  err: 'NAME_CONTAINS_UPPERCASE',
    // },
    {
      input: "test:5000/Uppercase/lowercase:tag",
      err: 'NAME_CONTAINS_UPPERCASE',
    },
    {
      input: "lowercase:Uppercase",
      repository: "lowercase",
      tag: "Uppercase",
    },
    {
      input: "domain/" + "a".repeat(256) + ":tag",
      err: 'NAME_TOO_LONG',
    },
    {
      input: "a/".repeat(127) + "a:tag-puts-this-over-max",
      domain: "a",
      repository: "a/".repeat(127) + "a",
      tag: "tag-puts-this-over-max",
    },
    {
      input: "aa/asdf$$^/aa",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "sub-dom1.foo.com/bar/baz/quux",
      domain: "sub-dom1.foo.com",
      repository: "sub-dom1.foo.com/bar/baz/quux",
    },
    {
      input: "sub-dom1.foo.com/bar/baz/quux:some-long-tag",
      domain: "sub-dom1.foo.com",
      repository: "sub-dom1.foo.com/bar/baz/quux",
      tag: "some-long-tag",
    },
    {
      input: "b.gcr.io/test.example.com/my-app:test.example.com",
      domain: "b.gcr.io",
      repository: "b.gcr.io/test.example.com/my-app",
      tag: "test.example.com",
    },
    {
      input: "xn--n3h.com/myimage:xn--n3h.com", // ☃.com in punycode
      domain: "xn--n3h.com",
      repository: "xn--n3h.com/myimage",
      tag: "xn--n3h.com",
    },
    {
      input: "xn--7o8h.com/myimage:xn--7o8h.com@sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", // 🐳.com in punycode
      domain: "xn--7o8h.com",
      repository: "xn--7o8h.com/myimage",
      tag: "xn--7o8h.com",
      digest: "sha512:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    },
    {
      input: "foo_bar.com:8080",
      repository: "foo_bar.com",
      tag: "8080",
    },
    {
      input: "foo/foo_bar.com:8080",
      domain: "foo",
      repository: "foo/foo_bar.com",
      tag: "8080",
    },
    {
      input: "192.168.1.1",
      repository: "192.168.1.1",
    },
    {
      input: "192.168.1.1:tag",
      repository: "192.168.1.1",
      tag: "tag",
    },
    {
      input: "192.168.1.1:5000",
      repository: "192.168.1.1",
      tag: "5000",
    },
    {
      input: "192.168.1.1/repo",
      domain: "192.168.1.1",
      repository: "192.168.1.1/repo",
    },
    {
      input: "192.168.1.1:5000/repo",
      domain: "192.168.1.1:5000",
      repository: "192.168.1.1:5000/repo",
    },
    {
      input: "192.168.1.1:5000/repo:5050",
      domain: "192.168.1.1:5000",
      repository: "192.168.1.1:5000/repo",
      tag: "5050",
    },
    {
      input: "[2001:db8::1]",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "[2001:db8::1]:5000",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "[2001:db8::1]:tag",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "[2001:db8::1]/repo",
      domain: "[2001:db8::1]",
      repository: "[2001:db8::1]/repo",
    },
    {
      input: "[2001:db8:1:2:3:4:5:6]/repo:tag",
      domain: "[2001:db8:1:2:3:4:5:6]",
      repository: "[2001:db8:1:2:3:4:5:6]/repo",
      tag: "tag",
    },
    {
      input: "[2001:db8::1]:5000/repo",
      domain: "[2001:db8::1]:5000",
      repository: "[2001:db8::1]:5000/repo",
    },
    {
      input: "[2001:db8::1]:5000/repo:tag",
      domain: "[2001:db8::1]:5000",
      repository: "[2001:db8::1]:5000/repo",
      tag: "tag",
    },
    {
      input: "[2001:db8::1]:5000/repo@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      domain: "[2001:db8::1]:5000",
      repository: "[2001:db8::1]:5000/repo",
      digest: "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    },
    {
      input: "[2001:db8::1]:5000/repo:tag@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      domain: "[2001:db8::1]:5000",
      repository: "[2001:db8::1]:5000/repo",
      tag: "tag",
      digest: "sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    },
    {
      input: "[2001:db8::]:5000/repo",
      domain: "[2001:db8::]:5000",
      repository: "[2001:db8::]:5000/repo",
    },
    {
      input: "[::1]:5000/repo",
      domain: "[::1]:5000",
      repository: "[::1]:5000/repo",
    },
    {
      input: "[fe80::1%eth0]:5000/repo",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "[fe80::1%@invalidzone]:5000/repo",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "example.com/" + "a".repeat(255) + ":tag",
      domain: "example.com",
      repository: "example.com/" + "a".repeat(255),
      tag: "tag",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(47);
  });

  it.each(tests.map((tc, index) => ({ ...tc, index })))('#$index $input', (tc) => {
    if (tc.err !== undefined) {
      expect(codeOf(() => parseRaw(tc.input))).toBe(tc.err);
      return;
    }
    const repo = parseRaw(tc.input);
    expect(repo.toString()).toBe(tc.input);
    expect(repo.name).toBe(tc.repository ?? '');
    expect(repo.domain).toBe(tc.domain ?? '');
    expect(repo.tag).toBe(tc.tag);
    expect(repo.digest).toBe(tc.digest);
  });
});

// TestWithNameFailure tests cases where WithName should fail. Cases where it
// should succeed are covered by TestSplitHostname, below.
describe('TestWithNameFailure', () => {
  const tests: { input: string; err: InvalidReferenceErrorCode }[] = [
    {
      input: "",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: ":justtag",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "validname@invaliddigest:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "example.com/repo:tag",
      err: 'REFERENCE_INVALID_FORMAT',
    },
    {
      input: "example.com/" + "a".repeat(256),
      err: 'NAME_TOO_LONG',
    },
    {
      input: "aa/asdf$$^/aa",
      err: 'REFERENCE_INVALID_FORMAT',
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(7);
  });

  it.each(tests)('$input', (tc) => {
    expect(codeOf(() => withName(tc.input))).toBe(tc.err);
  });
});

describe('TestDomainAndPath', () => {
  const tests: { input: string; domain: string; path: string }[] = [
    {
      input: "test.com/foo",
      domain: "test.com",
      path: "foo",
    },
    {
      input: "test_com/foo",
      domain: "",
      path: "test_com/foo",
    },
    {
      input: "test:8080/foo",
      domain: "test:8080",
      path: "foo",
    },
    {
      input: "test.com:8080/foo",
      domain: "test.com:8080",
      path: "foo",
    },
    {
      input: "test-com:8080/foo",
      domain: "test-com:8080",
      path: "foo",
    },
    {
      input: "xn--n3h.com:18080/foo",
      domain: "xn--n3h.com:18080",
      path: "foo",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(6);
  });

  it.each(tests)('$input', (tc) => {
    const named = withName(tc.input);
    expect(named.domain).toBe(tc.domain);
    expect(named.path).toBe(tc.path);
  });
});

// Upstream round-trips a reference.Field through encoding/json. Here the same texts go through
// JSON.parse, parseRaw, and back through JSON.stringify (which uses the reference's toJSON).
describe('TestSerialization', () => {
  const tests: {
    description: string;
    input?: string;
    name?: string;
    tag?: string;
    digest?: string;
    err?: InvalidReferenceErrorCode;
  }[] = [
    {
      description: "empty value",
      err: 'NAME_EMPTY',
    },
    {
      description: "just a name",
      input: "example.com:8000/named",
      name: "example.com:8000/named",
    },
    {
      description: "name with a tag",
      input: "example.com:8000/named:tagged",
      name: "example.com:8000/named",
      tag: "tagged",
    },
    {
      description: "name with digest",
      input: "other.com/named@sha256:1234567890098765432112345667890098765432112345667890098765432112",
      name: "other.com/named",
      digest: "sha256:1234567890098765432112345667890098765432112345667890098765432112",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(4);
  });

  it.each(tests)('$description', (tc) => {
    const b = JSON.stringify({ Description: tc.description, Field: tc.input ?? '' });
    const decoded = JSON.parse(b) as { Description: string; Field: string };
    if (tc.err !== undefined) {
      expect(codeOf(() => parseRaw(decoded.Field))).toBe(tc.err);
      return;
    }
    expect(decoded.Description).toBe(tc.description);
    const ref: Reference = parseRaw(decoded.Field);
    expect(ref.name).toBe(tc.name);
    expect(ref.tag).toBe(tc.tag);
    expect(ref.digest).toBe(tc.digest);
    const b2 = JSON.stringify({ Description: tc.description, Field: ref });
    expect(b2).toBe(b);
  });
});

describe('TestWithTag', () => {
  const tests: { name: string; digest?: string; tag: string; combined: string }[] = [
    {
      name: "test.com/foo",
      tag: "tag",
      combined: "test.com/foo:tag",
    },
    {
      name: "foo",
      tag: "tag2",
      combined: "foo:tag2",
    },
    {
      name: "test.com:8000/foo",
      tag: "tag4",
      combined: "test.com:8000/foo:tag4",
    },
    {
      name: "test.com:8000/foo",
      tag: "TAG5",
      combined: "test.com:8000/foo:TAG5",
    },
    {
      name: "test.com:8000/foo",
      digest: "sha256:1234567890098765432112345667890098765",
      tag: "TAG5",
      combined: "test.com:8000/foo:TAG5@sha256:1234567890098765432112345667890098765",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(5);
  });

  it.each(tests)('$combined', (tc) => {
    let named = withName(tc.name);
    if (tc.digest !== undefined) {
      named = withDigest(named, tc.digest);
    }
    const tagged = withTag(named, tc.tag);
    expect(tagged.toString()).toBe(tc.combined);
  });
});

describe('TestWithDigest', () => {
  const tests: { name: string; digest: string; tag?: string; combined: string }[] = [
    {
      name: "test.com/foo",
      digest: "sha256:1234567890098765432112345667890098765",
      combined: "test.com/foo@sha256:1234567890098765432112345667890098765",
    },
    {
      name: "foo",
      digest: "sha256:1234567890098765432112345667890098765",
      combined: "foo@sha256:1234567890098765432112345667890098765",
    },
    {
      name: "test.com:8000/foo",
      digest: "sha256:1234567890098765432112345667890098765",
      combined: "test.com:8000/foo@sha256:1234567890098765432112345667890098765",
    },
    {
      name: "test.com:8000/foo",
      digest: "sha256:1234567890098765432112345667890098765",
      tag: "latest",
      combined: "test.com:8000/foo:latest@sha256:1234567890098765432112345667890098765",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(4);
  });

  it.each(tests)('$combined', (tc) => {
    let named = withName(tc.name);
    if (tc.tag !== undefined) {
      named = withTag(named, tc.tag);
    }
    const digested = withDigest(named, tc.digest);
    expect(digested.toString()).toBe(tc.combined);
  });
});

describe('TestParseNamed', () => {
  const tests: { input: string; domain?: string; path?: string; err?: InvalidReferenceErrorCode }[] = [
    {
      input: "test.com/foo",
      domain: "test.com",
      path: "foo",
    },
    {
      input: "test:8080/foo",
      domain: "test:8080",
      path: "foo",
    },
    {
      input: "test_com/foo",
      err: 'NAME_NOT_CANONICAL',
    },
    {
      input: "test.com",
      err: 'NAME_NOT_CANONICAL',
    },
    {
      input: "foo",
      err: 'NAME_NOT_CANONICAL',
    },
    {
      input: "library/foo",
      err: 'NAME_NOT_CANONICAL',
    },
    {
      input: "docker.io/library/foo",
      domain: "docker.io",
      path: "library/foo",
    },
    // Ambiguous case, parser will add "library/" to foo
    {
      input: "docker.io/foo",
      err: 'NAME_NOT_CANONICAL',
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(8);
  });

  it.each(tests)('$input', (tc) => {
    if (tc.err !== undefined) {
      expect(codeOf(() => parseNamed(tc.input))).toBe(tc.err);
      return;
    }
    const named = parseNamed(tc.input);
    expect(named.domain).toBe(tc.domain);
    expect(named.path).toBe(tc.path);
  });
});
