// Port of normalize_test.go from github.com/distribution/reference v0.6.0. Tables are copied in
// upstream order with upstream comments, so they can be diffed against the Go source.
// Not ported: TestMatchError and TestMatch, which test FamiliarMatch (path.Match globbing over
// familiar names); slimguard has no such function.
import { describe, expect, it } from 'vitest';
import { InvalidReferenceError } from './errors.js';
import { parseAnyReference, parseDockerRef, parseRaw, parseReference } from './parse-reference.js';
import { withDigest, withTag } from './reference.js';

describe('TestValidateReferenceName', () => {
  const validRepoNames: string[] = [
    "docker/docker",
    "library/debian",
    "debian",
    "localhost/library/debian",
    "localhost/debian",
    "LOCALDOMAIN/library/debian",
    "LOCALDOMAIN/debian",
    "docker.io/docker/docker",
    "docker.io/library/debian",
    "docker.io/debian",
    "index.docker.io/docker/docker",
    "index.docker.io/library/debian",
    "index.docker.io/debian",
    "127.0.0.1:5000/docker/docker",
    "127.0.0.1:5000/library/debian",
    "127.0.0.1:5000/debian",
    "192.168.0.1",
    "192.168.0.1:80",
    "192.168.0.1:8/debian",
    "192.168.0.2:25000/debian",
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
    "[fc00::1]:5000/docker",
    "[fc00::1]:5000/docker/docker",
    "[fc00:1:2:3:4:5:6:7]:5000/library/debian",

    // This test case was moved from invalid to valid since it is valid input
    // when specified with a hostname, it removes the ambiguity from about
    // whether the value is an identifier or repository name
    "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
    "Docker/docker",
    "DOCKER/docker",
  
  ];
  const invalidRepoNames: string[] = [
    "https://github.com/docker/docker",
    "docker/Docker",
    "-docker",
    "-docker/docker",
    "-docker.io/docker/docker",
    "docker///docker",
    "docker.io/docker/Docker",
    "docker.io/docker///docker",
    "[fc00::1]",
    "[fc00::1]:5000",
    "fc00::1:5000/debian",
    "[fe80::1%eth0]:5000/debian",
    "[2001:db8:3:4::192.0.2.33]:5000/debian",
    "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
  
  ];

  it('has every upstream case', () => {
    expect(validRepoNames).toHaveLength(27);
    expect(invalidRepoNames).toHaveLength(14);
  });

  it.each(invalidRepoNames)('rejects %s', (name) => {
    expect(() => parseReference(name)).toThrow(InvalidReferenceError);
  });

  it.each(validRepoNames)('accepts %s', (name) => {
    expect(() => parseReference(name)).not.toThrow();
  });
});

describe('TestValidateRemoteName', () => {
  const validRepositoryNames: string[] = [
    // Sanity check.
    "docker/docker",

    // Allow 64-character non-hexadecimal names (hexadecimal names are forbidden).
    "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",

    // Allow embedded hyphens.
    "docker-rules/docker",

    // Allow multiple hyphens as well.
    "docker---rules/docker",

    // Username doc and image name docker being tested.
    "doc/docker",

    // single character names are now allowed.
    "d/docker",
    "jess/t",

    // Consecutive underscores.
    "dock__er/docker",
  
  ];

  const invalidRepositoryNames: string[] = [
    // Disallow capital letters.
    "docker/Docker",

    // Only allow one slash.
    "docker///docker",

    // Disallow 64-character hexadecimal.
    "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",

    // Disallow leading and trailing hyphens in namespace.
    "-docker/docker",
    "docker-/docker",
    "-docker-/docker",

    // Don't allow underscores everywhere (as opposed to hyphens).
    "____/____",

    "_docker/_docker",

    // Disallow consecutive periods.
    "dock..er/docker",
    "dock_.er/docker",
    "dock-.er/docker",

    // No repository.
    "docker/",

    // namespace too long
    "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
  
  ];

  it('has every upstream case', () => {
    expect(validRepositoryNames).toHaveLength(8);
    expect(invalidRepositoryNames).toHaveLength(13);
  });

  it.each(validRepositoryNames)('accepts %s', (repositoryName) => {
    expect(() => parseReference(repositoryName)).not.toThrow();
  });

  it.each(invalidRepositoryNames)('rejects %s', (repositoryName) => {
    expect(() => parseReference(repositoryName)).toThrow(InvalidReferenceError);
  });
});

describe('TestParseRepositoryInfo', () => {
  interface TestCase {
    RemoteName: string;
    FamiliarName: string;
    FullName: string;
    AmbiguousName: string;
    Domain: string;
  }

  const tests: TestCase[] = [
    {
      RemoteName: "fooo",
      FamiliarName: "localhost/fooo",
      FullName: "localhost/fooo",
      AmbiguousName: "localhost/fooo",
      Domain: "localhost",
    },
    {
      RemoteName: "fooo/bar",
      FamiliarName: "localhost/fooo/bar",
      FullName: "localhost/fooo/bar",
      AmbiguousName: "localhost/fooo/bar",
      Domain: "localhost",
    },
    {
      RemoteName: "fooo",
      FamiliarName: "LOCALDOMAIN/fooo",
      FullName: "LOCALDOMAIN/fooo",
      AmbiguousName: "LOCALDOMAIN/fooo",
      Domain: "LOCALDOMAIN",
    },
    {
      RemoteName: "fooo/bar",
      FamiliarName: "LOCALDOMAIN/fooo/bar",
      FullName: "LOCALDOMAIN/fooo/bar",
      AmbiguousName: "LOCALDOMAIN/fooo/bar",
      Domain: "LOCALDOMAIN",
    },
    {
      RemoteName: "fooo/bar",
      FamiliarName: "fooo/bar",
      FullName: "docker.io/fooo/bar",
      AmbiguousName: "index.docker.io/fooo/bar",
      Domain: "docker.io",
    },
    {
      RemoteName: "library/ubuntu",
      FamiliarName: "ubuntu",
      FullName: "docker.io/library/ubuntu",
      AmbiguousName: "library/ubuntu",
      Domain: "docker.io",
    },
    {
      RemoteName: "nonlibrary/ubuntu",
      FamiliarName: "nonlibrary/ubuntu",
      FullName: "docker.io/nonlibrary/ubuntu",
      AmbiguousName: "",
      Domain: "docker.io",
    },
    {
      RemoteName: "other/library",
      FamiliarName: "other/library",
      FullName: "docker.io/other/library",
      AmbiguousName: "",
      Domain: "docker.io",
    },
    {
      RemoteName: "private/moonbase",
      FamiliarName: "127.0.0.1:8000/private/moonbase",
      FullName: "127.0.0.1:8000/private/moonbase",
      AmbiguousName: "",
      Domain: "127.0.0.1:8000",
    },
    {
      RemoteName: "privatebase",
      FamiliarName: "127.0.0.1:8000/privatebase",
      FullName: "127.0.0.1:8000/privatebase",
      AmbiguousName: "",
      Domain: "127.0.0.1:8000",
    },
    {
      RemoteName: "private/moonbase",
      FamiliarName: "example.com/private/moonbase",
      FullName: "example.com/private/moonbase",
      AmbiguousName: "",
      Domain: "example.com",
    },
    {
      RemoteName: "privatebase",
      FamiliarName: "example.com/privatebase",
      FullName: "example.com/privatebase",
      AmbiguousName: "",
      Domain: "example.com",
    },
    {
      RemoteName: "private/moonbase",
      FamiliarName: "example.com:8000/private/moonbase",
      FullName: "example.com:8000/private/moonbase",
      AmbiguousName: "",
      Domain: "example.com:8000",
    },
    {
      RemoteName: "privatebasee",
      FamiliarName: "example.com:8000/privatebasee",
      FullName: "example.com:8000/privatebasee",
      AmbiguousName: "",
      Domain: "example.com:8000",
    },
    {
      RemoteName: "library/ubuntu-12.04-base",
      FamiliarName: "ubuntu-12.04-base",
      FullName: "docker.io/library/ubuntu-12.04-base",
      AmbiguousName: "index.docker.io/library/ubuntu-12.04-base",
      Domain: "docker.io",
    },
    {
      RemoteName: "library/foo",
      FamiliarName: "foo",
      FullName: "docker.io/library/foo",
      AmbiguousName: "docker.io/foo",
      Domain: "docker.io",
    },
    {
      RemoteName: "library/foo/bar",
      FamiliarName: "library/foo/bar",
      FullName: "docker.io/library/foo/bar",
      AmbiguousName: "",
      Domain: "docker.io",
    },
    {
      RemoteName: "store/foo/bar",
      FamiliarName: "store/foo/bar",
      FullName: "docker.io/store/foo/bar",
      AmbiguousName: "",
      Domain: "docker.io",
    },
    {
      RemoteName: "bar",
      FamiliarName: "Foo/bar",
      FullName: "Foo/bar",
      AmbiguousName: "",
      Domain: "Foo",
    },
    {
      RemoteName: "bar",
      FamiliarName: "FOO/bar",
      FullName: "FOO/bar",
      AmbiguousName: "",
      Domain: "FOO",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(20);
  });

  const runs = tests.flatMap((tc, i) => {
    const refStrings = [tc.FamiliarName, tc.FullName];
    if (tc.AmbiguousName !== '') {
      refStrings.push(tc.AmbiguousName);
    }
    return refStrings.map((r) => ({ tc, r, label: `${i}/${r}` }));
  });

  it.each(runs)('$label', ({ tc, r }) => {
    const named = parseReference(r);
    expect(named.familiarName, 'FamiliarName').toBe(tc.FamiliarName);
    expect(named.toString(), 'FullName').toBe(tc.FullName);
    expect(named.domain, 'Domain').toBe(tc.Domain);
    expect(named.path, 'RemoteName').toBe(tc.RemoteName);
  });
});

describe('TestParseReferenceWithTagAndDigest', () => {
  it('keeps both the tag and the digest', () => {
    const shortRef = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    const ref = parseReference(shortRef);
    expect(ref.toString()).toBe("docker.io/library/" + shortRef);
    expect(ref.tag).toBe("latest");
    expect(ref.digest).toBe("sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa");
    expect(ref.familiarString()).toBe(shortRef);
  });
});

describe('TestInvalidReferenceComponents', () => {
  it('detects an invalid name, tag and digest', () => {
    expect(() => parseReference("-foo")).toThrow(InvalidReferenceError);
    const ref = parseReference("busybox");
    expect(() => withTag(ref, "-foo")).toThrow(InvalidReferenceError);
    expect(() => withDigest(ref, "foo")).toThrow(InvalidReferenceError);
  });
});

describe('TestParseAnyReference', () => {
  // ExpectedDigest stands for upstream's `Expected: digestReference(...)`.
  const tests: { Reference: string; Equivalent: string; ExpectedDigest?: string }[] = [
    {
      Reference: "redis",
      Equivalent: "docker.io/library/redis",
    },
    {
      Reference: "redis:latest",
      Equivalent: "docker.io/library/redis:latest",
    },
    {
      Reference: "docker.io/library/redis:latest",
      Equivalent: "docker.io/library/redis:latest",
    },
    {
      Reference: "redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      Equivalent: "docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
    },
    {
      Reference: "docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      Equivalent: "docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
    },
    {
      Reference: "dmcgowan/myapp",
      Equivalent: "docker.io/dmcgowan/myapp",
    },
    {
      Reference: "dmcgowan/myapp:latest",
      Equivalent: "docker.io/dmcgowan/myapp:latest",
    },
    {
      Reference: "docker.io/mcgowan/myapp:latest",
      Equivalent: "docker.io/mcgowan/myapp:latest",
    },
    {
      Reference: "dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      Equivalent: "docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
    },
    {
      Reference: "docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      Equivalent: "docker.io/dmcgowan/myapp@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
    },
    {
      Reference: "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      ExpectedDigest: "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      Equivalent: "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
    },
    {
      Reference: "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      ExpectedDigest: "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
      Equivalent: "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
    },
    {
      Reference: "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
      Equivalent: "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
    },
    {
      Reference: "dbcc1",
      Equivalent: "docker.io/library/dbcc1",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(14);
  });

  it.each(tests)('$Reference', (tc) => {
    const ref = parseAnyReference(tc.Reference);
    expect(ref.toString()).toBe(tc.Equivalent);
    if (tc.ExpectedDigest !== undefined) {
      expect(ref).not.toHaveProperty('name');
      expect(ref.digest).toBe(tc.ExpectedDigest);
      return;
    }
    const expected = parseRaw(tc.Equivalent);
    expect(ref).toEqual(expected);
  });
});

describe('TestNormalizedSplitHostname', () => {
  const tests: { input: string; domain: string; path: string }[] = [
    {
      input: "test.com/foo",
      domain: "test.com",
      path: "foo",
    },
    {
      input: "test_com/foo",
      domain: "docker.io",
      path: "test_com/foo",
    },
    {
      input: "docker/migrator",
      domain: "docker.io",
      path: "docker/migrator",
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
      input: "foo",
      domain: "docker.io",
      path: "library/foo",
    },
    {
      input: "xn--n3h.com/foo",
      domain: "xn--n3h.com",
      path: "foo",
    },
    {
      input: "xn--n3h.com:18080/foo",
      domain: "xn--n3h.com:18080",
      path: "foo",
    },
    {
      input: "docker.io/foo",
      domain: "docker.io",
      path: "library/foo",
    },
    {
      input: "docker.io/library/foo",
      domain: "docker.io",
      path: "library/foo",
    },
    {
      input: "docker.io/library/foo/bar",
      domain: "docker.io",
      path: "library/foo/bar",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(11);
  });

  it.each(tests)('$input', (tc) => {
    const named = parseReference(tc.input);
    expect(named.domain).toBe(tc.domain);
    expect(named.path).toBe(tc.path);
  });
});

describe('TestParseDockerRef', () => {
  const tests: { name: string; input: string; expected: string }[] = [
    {
      name: "nothing",
      input: "busybox",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "tag only",
      input: "busybox:latest",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "digest only",
      input: "busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582",
      expected: "docker.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582",
    },
    {
      name: "path only",
      input: "library/busybox",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "hostname only",
      input: "docker.io/busybox",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "no tag",
      input: "docker.io/library/busybox",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "no path",
      input: "docker.io/busybox:latest",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "no hostname",
      input: "library/busybox:latest",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "full reference with tag",
      input: "docker.io/library/busybox:latest",
      expected: "docker.io/library/busybox:latest",
    },
    {
      name: "gcr reference without tag",
      input: "gcr.io/library/busybox",
      expected: "gcr.io/library/busybox:latest",
    },
    {
      name: "both tag and digest",
      input: "gcr.io/library/busybox:latest@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582",
      expected: "gcr.io/library/busybox@sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582",
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(11);
  });

  it.each(tests)('$name', (tc) => {
    const normalized = parseDockerRef(tc.input);
    const output = normalized.toString();
    expect(output).toBe(tc.expected);
    expect(() => parseRaw(output), `${output} should be a valid reference`).not.toThrow();
  });
});
