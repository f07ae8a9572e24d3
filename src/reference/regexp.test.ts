// Port of regexp_test.go from github.com/distribution/reference v0.6.0 (tables in upstream order,
// with upstream comments). Each case runs twice: through the linear matchers slimguard uses, and
// through a JavaScript RegExp built from the upstream pattern source (GRAMMAR), so the two are
// shown to agree. The property tests at the end extend that agreement to random inputs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GRAMMAR,
  isDigestFormat,
  isDomainAndPort,
  isIdentifier,
  isRemoteName,
  isTag,
  matchAnchoredName,
  matchReference,
} from './regexp.js';

// Upstream-shaped regexps: fine for short test inputs, not for production (they backtrack).
const upstreamDomain = new RegExp(`^${GRAMMAR.domainAndPort}$`);
const upstreamAnchoredName = new RegExp(GRAMMAR.anchoredNamePat);
const upstreamReference = new RegExp(GRAMMAR.referencePat);
const upstreamIdentifier = new RegExp(`^${GRAMMAR.identifier}$`);

interface RegexpMatch {
  input: string;
  match: boolean;
  subs?: string[];
}

/** FindStringSubmatch: the submatches, with '' for groups that did not take part. */
function upstreamSubmatches(regexp: RegExp, input: string): string[] | undefined {
  const match = regexp.exec(input);
  return match === null ? undefined : match.slice(1).map((group) => group ?? '');
}

function nameSubmatches(input: string): string[] | undefined {
  const match = matchAnchoredName(input);
  return match === undefined ? undefined : [match.domain, match.path];
}

function referenceSubmatches(input: string): string[] | undefined {
  const match = matchReference(input);
  return match === undefined ? undefined : [match.name, match.tag, match.digest];
}

function checkRegexp(find: (input: string) => string[] | undefined, m: RegexpMatch): void {
  const matches = find(m.input);
  if (!m.match) {
    expect(matches, `Unexpected match for ${JSON.stringify(m.input)}`).toBeUndefined();
    return;
  }
  expect(matches, `Expected match for ${JSON.stringify(m.input)}`).toBeDefined();
  for (const [i, sub] of (m.subs ?? []).entries()) {
    expect(matches?.[i], `submatch ${i + 1}`).toBe(sub);
  }
}

describe('TestDomainRegexp', () => {
  const tests: { input: string; match: boolean }[] = [
    {
      input: "test.com",
      match: true,
    },
    {
      input: "test.com:10304",
      match: true,
    },
    {
      input: "test.com:http",
      match: false,
    },
    {
      input: "localhost",
      match: true,
    },
    {
      input: "localhost:8080",
      match: true,
    },
    {
      input: "a",
      match: true,
    },
    {
      input: "a.b",
      match: true,
    },
    {
      input: "ab.cd.com",
      match: true,
    },
    {
      input: "a-b.com",
      match: true,
    },
    {
      input: "-ab.com",
      match: false,
    },
    {
      input: "ab-.com",
      match: false,
    },
    {
      input: "ab.c-om",
      match: true,
    },
    {
      input: "ab.-com",
      match: false,
    },
    {
      input: "ab.com-",
      match: false,
    },
    {
      input: "0101.com",
      match: true, // TODO(dmcgowan): valid if this should be allowed
    },
    {
      input: "001a.com",
      match: true,
    },
    {
      input: "b.gbc.io:443",
      match: true,
    },
    {
      input: "b.gbc.io",
      match: true,
    },
    {
      input: "xn--n3h.com", // ☃.com in punycode
      match: true,
    },
    {
      input: "Asdf.com", // uppercase character
      match: true,
    },
    {
      input: "192.168.1.1:75050", // ipv4
      match: true,
    },
    {
      input: "192.168.1.1:750050", // port with more than 5 digits, it will fail on validation
      match: true,
    },
    {
      input: "[fd00:1:2::3]:75050", // ipv6 compressed
      match: true,
    },
    {
      input: "[fd00:1:2::3]75050", // ipv6 wrong port separator
      match: false,
    },
    {
      input: "[fd00:1:2::3]::75050", // ipv6 wrong port separator
      match: false,
    },
    {
      input: "[fd00:1:2::3%eth0]:75050", // ipv6 with zone
      match: false,
    },
    {
      input: "[fd00123123123]:75050", // ipv6 wrong format, will fail in validation
      match: true,
    },
    {
      input: "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:75050", // ipv6 long format
      match: true,
    },
    {
      input: "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:750505", // ipv6 long format and invalid port, it will fail in validation
      match: true,
    },
    {
      input: "fd00:1:2::3:75050", // bad ipv6 without square brackets
      match: false,
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(30);
  });

  it.each(tests)('$input', (tc) => {
    expect(isDomainAndPort(tc.input)).toBe(tc.match);
    expect(upstreamDomain.test(tc.input)).toBe(tc.match);
  });
});

describe('TestFullNameRegexp', () => {
  const tests: RegexpMatch[] = [
    {
      input: "",
      match: false,
    },
    {
      input: "short",
      match: true,
      subs: ["", "short"],
    },
    {
      input: "simple/name",
      match: true,
      subs: ["simple", "name"],
    },
    {
      input: "library/ubuntu",
      match: true,
      subs: ["library", "ubuntu"],
    },
    {
      input: "docker/stevvooe/app",
      match: true,
      subs: ["docker", "stevvooe/app"],
    },
    {
      input: "aa/aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb",
      match: true,
      subs: ["aa", "aa/aa/aa/aa/aa/aa/aa/aa/bb/bb/bb/bb/bb/bb"],
    },
    {
      input: "aa/aa/bb/bb/bb",
      match: true,
      subs: ["aa", "aa/bb/bb/bb"],
    },
    {
      input: "a/a/a/a",
      match: true,
      subs: ["a", "a/a/a"],
    },
    {
      input: "a/a/a/a/",
      match: false,
    },
    {
      input: "a//a/a",
      match: false,
    },
    {
      input: "a",
      match: true,
      subs: ["", "a"],
    },
    {
      input: "a/aa",
      match: true,
      subs: ["a", "aa"],
    },
    {
      input: "a/aa/a",
      match: true,
      subs: ["a", "aa/a"],
    },
    {
      input: "foo.com",
      match: true,
      subs: ["", "foo.com"],
    },
    {
      input: "foo.com/",
      match: false,
    },
    {
      input: "foo.com:8080/bar",
      match: true,
      subs: ["foo.com:8080", "bar"],
    },
    {
      input: "foo.com:http/bar",
      match: false,
    },
    {
      input: "foo.com/bar",
      match: true,
      subs: ["foo.com", "bar"],
    },
    {
      input: "foo.com/bar/baz",
      match: true,
      subs: ["foo.com", "bar/baz"],
    },
    {
      input: "localhost:8080/bar",
      match: true,
      subs: ["localhost:8080", "bar"],
    },
    {
      input: "sub-dom1.foo.com/bar/baz/quux",
      match: true,
      subs: ["sub-dom1.foo.com", "bar/baz/quux"],
    },
    {
      input: "blog.foo.com/bar/baz",
      match: true,
      subs: ["blog.foo.com", "bar/baz"],
    },
    {
      input: "a^a",
      match: false,
    },
    {
      input: "aa/asdf$$^/aa",
      match: false,
    },
    {
      input: "asdf$$^/aa",
      match: false,
    },
    {
      input: "aa-a/a",
      match: true,
      subs: ["aa-a", "a"],
    },
    {
      input: "a/".repeat(128) + "a",
      match: true,
      subs: ["a", "a/".repeat(127) + "a"],
    },
    {
      input: "a-/a/a/a",
      match: false,
    },
    {
      input: "foo.com/a-/a/a",
      match: false,
    },
    {
      input: "-foo/bar",
      match: false,
    },
    {
      input: "foo/bar-",
      match: false,
    },
    {
      input: "foo-/bar",
      match: false,
    },
    {
      input: "foo/-bar",
      match: false,
    },
    {
      input: "_foo/bar",
      match: false,
    },
    {
      input: "foo_bar",
      match: true,
      subs: ["", "foo_bar"],
    },
    {
      input: "foo_bar.com",
      match: true,
      subs: ["", "foo_bar.com"],
    },
    {
      input: "foo_bar.com:8080",
      match: false,
    },
    {
      input: "foo_bar.com:8080/app",
      match: false,
    },
    {
      input: "foo.com/foo_bar",
      match: true,
      subs: ["foo.com", "foo_bar"],
    },
    {
      input: "____/____",
      match: false,
    },
    {
      input: "_docker/_docker",
      match: false,
    },
    {
      input: "docker_/docker_",
      match: false,
    },
    {
      input: "b.gcr.io/test.example.com/my-app",
      match: true,
      subs: ["b.gcr.io", "test.example.com/my-app"],
    },
    {
      input: "xn--n3h.com/myimage", // ☃.com in punycode
      match: true,
      subs: ["xn--n3h.com", "myimage"],
    },
    {
      input: "xn--7o8h.com/myimage", // 🐳.com in punycode
      match: true,
      subs: ["xn--7o8h.com", "myimage"],
    },
    {
      input: "example.com/xn--7o8h.com/myimage", // 🐳.com in punycode
      match: true,
      subs: ["example.com", "xn--7o8h.com/myimage"],
    },
    {
      input: "example.com/some_separator__underscore/myimage",
      match: true,
      subs: ["example.com", "some_separator__underscore/myimage"],
    },
    {
      input: "example.com/__underscore/myimage",
      match: false,
    },
    {
      input: "example.com/..dots/myimage",
      match: false,
    },
    {
      input: "example.com/.dots/myimage",
      match: false,
    },
    {
      input: "example.com/nodouble..dots/myimage",
      match: false,
    },
    {
      input: "example.com/nodouble..dots/myimage",
      match: false,
    },
    {
      input: "docker./docker",
      match: false,
    },
    {
      input: ".docker/docker",
      match: false,
    },
    {
      input: "docker-/docker",
      match: false,
    },
    {
      input: "-docker/docker",
      match: false,
    },
    {
      input: "do..cker/docker",
      match: false,
    },
    {
      input: "do__cker:8080/docker",
      match: false,
    },
    {
      input: "do__cker/docker",
      match: true,
      subs: ["", "do__cker/docker"],
    },
    {
      input: "b.gcr.io/test.example.com/my-app",
      match: true,
      subs: ["b.gcr.io", "test.example.com/my-app"],
    },
    {
      input: "registry.io/foo/project--id.module--name.ver---sion--name",
      match: true,
      subs: ["registry.io", "foo/project--id.module--name.ver---sion--name"],
    },
    {
      input: "Asdf.com/foo/bar", // uppercase character in hostname
      match: true,
    },
    {
      input: "Foo/FarB", // uppercase characters in remote name
      match: false,
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(63);
  });

  it('has two submatches', () => {
    expect(upstreamSubmatches(upstreamAnchoredName, 'a')).toHaveLength(2);
  });

  it.each(tests)('$input', (tc) => {
    checkRegexp(nameSubmatches, tc);
    checkRegexp((input) => upstreamSubmatches(upstreamAnchoredName, input), tc);
  });
});

describe('TestReferenceRegexp', () => {
  const tests: RegexpMatch[] = [
    {
      input: "registry.com:8080/myapp:tag",
      match: true,
      subs: ["registry.com:8080/myapp", "tag", ""],
    },
    {
      input: "registry.com:8080/myapp@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912",
      match: true,
      subs: ["registry.com:8080/myapp", "", "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"],
    },
    {
      input: "registry.com:8080/myapp:tag2@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912",
      match: true,
      subs: ["registry.com:8080/myapp", "tag2", "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"],
    },
    {
      input: "registry.com:8080/myapp@sha256:badbadbadbad",
      match: false,
    },
    {
      input: "registry.com:8080/myapp:invalid~tag",
      match: false,
    },
    {
      input: "bad_hostname.com:8080/myapp:tag",
      match: false,
    },
    {
      input:// localhost treated as name, missing tag with 8080 as tag
      "localhost:8080@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912",
      match: true,
      subs: ["localhost", "8080", "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"],
    },
    {
      input: "localhost:8080/name@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912",
      match: true,
      subs: ["localhost:8080/name", "", "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"],
    },
    {
      input: "localhost:http/name@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912",
      match: false,
    },
    {
      // localhost will be treated as an image name without a host
      input: "localhost@sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912",
      match: true,
      subs: ["localhost", "", "sha256:be178c0543eb17f5f3043021c9e5fcf30285e557a4fc309cce97ff9ca6182912"],
    },
    {
      input: "registry.com:8080/myapp@bad",
      match: false,
    },
    {
      input: "registry.com:8080/myapp@2bad",
      match: false, // TODO(dmcgowan): Support this as valid
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(12);
  });

  it('has three submatches', () => {
    expect(upstreamSubmatches(upstreamReference, 'a')).toHaveLength(3);
  });

  it.each(tests)('$input', (tc) => {
    checkRegexp(referenceSubmatches, tc);
    checkRegexp((input) => upstreamSubmatches(upstreamReference, input), tc);
  });
});

describe('TestIdentifierRegexp', () => {
  const tests: { input: string; match: boolean }[] = [
    {
      input: "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821",
      match: true,
    },
    {
      input: "7EC43B381E5AEFE6E04EFB0B3F0693FF2A4A50652D64AEC573905F2DB5889A1C",
      match: false,
    },
    {
      input: "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf",
      match: false,
    },
    {
      input: "sha256:da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf9821",
      match: false,
    },
    {
      input: "da304e823d8ca2b9d863a3c897baeb852ba21ea9a9f1414736394ae7fcaf98218482",
      match: false,
    },
  
  ];

  it('has every upstream case', () => {
    expect(tests).toHaveLength(5);
  });

  it.each(tests)('$input', (tc) => {
    expect(isIdentifier(tc.input)).toBe(tc.match);
    expect(upstreamIdentifier.test(tc.input)).toBe(tc.match);
  });
});

// Pieces that make the grammar's decisions interesting: separators, brackets, ports, hex, case.
const ATOMS = [
  'a', 'b', 'z', '0', '9', 'A', 'Z', 'F', 'f', '.', '_', '__', '-', '--', '/', '//', ':', '::', '@', '[', ']',
  'sha256', 'md5', 'localhost', 'docker.io', 'library', '5000', '[::1]', '%', '+', ' ', 'é',
  'ffffffffffffffffffffffffffffffff',
];
const atomText = fc.array(fc.constantFrom(...ATOMS), { maxLength: 12 }).map((parts) => parts.join(''));
const piece = (...candidates: string[]) => fc.oneof(fc.constantFrom(...candidates), atomText);
// Reference-shaped text: [domain/]path[:tag][@digest], each piece valid or a near miss.
const referenceShaped = fc
  .tuple(
    fc.option(piece('localhost', 'a.b', 'a:5000', 'A.com', '[::1]:5000', '[a:b]', 'a-.b', 'x:http', 'a_b.c', '1.2.3.4:80')),
    fc.array(piece('a', 'a.b', 'a__b', 'a---b', 'a-', '_a', 'a..b', 'A', ''), { minLength: 1, maxLength: 3 }),
    fc.option(piece('tag', 'T_1.x-y', '.x', '-x', 'a:b', '')),
    fc.option(piece('sha256:' + 'f'.repeat(64), 'a.b:' + 'F'.repeat(32), 'a:' + 'f'.repeat(31), 'A1+b_c-d.e:' + '0'.repeat(40), '1a:' + 'f'.repeat(32))),
  )
  .map(([domain, path, tag, digest]) =>
    (domain === null ? '' : `${domain}/`) + path.join('/') + (tag === null ? '' : `:${tag}`) + (digest === null ? '' : `@${digest}`),
  );
const grammarText = fc.oneof(atomText, referenceShaped);

describe('linear matchers agree with the upstream-shaped regexps', () => {
  it('matchReference gives the same match and submatches as ReferenceRegexp', () => {
    fc.assert(
      fc.property(grammarText, (input) => {
        expect(referenceSubmatches(input)).toEqual(upstreamSubmatches(upstreamReference, input));
      }),
      { numRuns: 10_000 },
    );
  });

  it('matchAnchoredName gives the same match and submatches as anchoredNameRegexp', () => {
    fc.assert(
      fc.property(grammarText, (input) => {
        expect(nameSubmatches(input)).toEqual(upstreamSubmatches(upstreamAnchoredName, input));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('no catastrophic backtracking', () => {
  // Near-misses that make backtracking engines retry: each is 100k+ characters long.
  const n = 50_000;
  const adversarial = [
    'a'.repeat(2 * n) + '!',
    'a-'.repeat(n) + '!',
    'a.'.repeat(n) + '-',
    'a__'.repeat(n) + '_',
    'a_'.repeat(n) + '.',
    'a/'.repeat(n) + 'A',
    'a-'.repeat(n) + '/a',
    '[' + ':'.repeat(2 * n) + '/a',
    'a:' + '_'.repeat(2 * n) + '@',
    'a@' + 'a.'.repeat(n) + ':0',
    'a@a:' + 'f'.repeat(2 * n) + 'g',
    'A'.repeat(2 * n) + '/a:' + 'a'.repeat(200),
  ];

  // Quadratic or exponential matching would take minutes on these inputs and hit the test
  // timeout; the speed itself is not asserted here (timing belongs in benchmarks).
  it('rejects long near-misses (catastrophic backtracking would time out)', () => {
    for (const input of adversarial) {
      expect(matchReference(input)).toBeUndefined();
      expect(matchAnchoredName(input)).toBeUndefined();
      expect(isDomainAndPort(input)).toBe(false);
      expect(isRemoteName(input)).toBe(false);
      expect(isTag(input)).toBe(false);
      expect(isDigestFormat(input)).toBe(false);
    }
  });
});
