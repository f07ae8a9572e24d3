import { describe, expect, it } from 'vitest';
import { type AuthChallenge, parseWwwAuthenticate, repositoryScope } from './challenge.js';
import { RegistryInputError } from './errors.js';

describe('parseWwwAuthenticate', () => {
  const cases: [string, string, AuthChallenge[]][] = [
    [
      'Docker Hub',
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/nginx:pull' },
        },
      ],
    ],
    ['basic with realm', 'Basic realm="Registry Realm"', [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]],
    ['scheme only', 'Basic', [{ scheme: 'basic', params: {} }]],
    ['mixed-case scheme and names', 'BEARER Realm="r", SERVICE=s', [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]],
    ['token values', 'Bearer realm=https://a/b, service=svc', [{ scheme: 'bearer', params: { realm: 'https://a/b', service: 'svc' } }]],
    ['spaces around =', 'Bearer realm = "r" , service= "s"', [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]],
    ['escapes in quoted strings', String.raw`Bearer realm="a\"b\\c\d"`, [{ scheme: 'bearer', params: { realm: 'a"b\\cd' } }]],
    ['comma inside quotes', 'Bearer scope="repository:a:pull,push",realm="r"', [{ scheme: 'bearer', params: { scope: 'repository:a:pull,push', realm: 'r' } }]],
    ['empty quoted value', 'Bearer realm="", service="s"', [{ scheme: 'bearer', params: { realm: '', service: 's' } }]],
    ['empty list elements', ', Bearer realm="r",, ,service="s",', [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]],
    [
      'two challenges',
      'Basic realm="basic", Bearer realm="https://auth.example/token",service="reg"',
      [
        { scheme: 'basic', params: { realm: 'basic' } },
        { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg' } },
      ],
    ],
    [
      'scheme-only challenge before another',
      'Negotiate, Basic realm="x"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'x' } },
      ],
    ],
    [
      'token68',
      'Negotiate YIIabc+/== , Basic realm="x"',
      [
        { scheme: 'negotiate', params: {}, token68: 'YIIabc+/==' },
        { scheme: 'basic', params: { realm: 'x' } },
      ],
    ],
    ['token68 without padding', 'Custom abc123', [{ scheme: 'custom', params: {}, token68: 'abc123' }]],
    ['first of a repeated param wins', 'Bearer realm="good", realm="evil"', [{ scheme: 'bearer', params: { realm: 'good' } }]],
    ['unterminated quote runs to the end', 'Bearer realm="https://a, service="s', [{ scheme: 'bearer', params: { realm: 'https://a, service=' } }]],
    ['empty header', '', []],
    ['only commas and spaces', ' , ,', []],
    ['param before any scheme is dropped', 'realm="x", Basic', [{ scheme: 'basic', params: {} }]],
    ['garbage element is skipped', 'Bearer realm="r", @@@, service="s"', [{ scheme: 'bearer', params: { realm: 'r', service: 's' } }]],
    ['missing comma drops the rest of the element', 'Bearer realm="r" service="s"', [{ scheme: 'bearer', params: { realm: 'r' } }]],
    ['__proto__ is just a name', 'Bearer __proto__="x", realm="r"', [{ scheme: 'bearer', params: { ['__proto__']: 'x', realm: 'r' } }]],
  ];

  it.each(cases)('%s', (_name, header, expected) => {
    const parsed = parseWwwAuthenticate(header);
    expect(parsed).toEqual(expected);
    for (const challenge of parsed) expect(Object.getPrototypeOf(challenge.params)).toBe(Object.prototype);
  });

  it('handles a __proto__ param without touching prototypes', () => {
    const [challenge] = parseWwwAuthenticate('Bearer __proto__="x"');
    expect(Object.getOwnPropertyNames(challenge?.params)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('never throws on arbitrary input', () => {
    const samples = ['"', '\\', '=', '==,==', 'a="', 'a=\\', 'Bearer "', 'Bearer realm=', 'Bearer realm="\\', '\u0000\u00ff', 'B\tr=1'];
    for (const sample of samples) expect(() => parseWwwAuthenticate(sample)).not.toThrow();
  });

  // Super-linear parsing would take minutes here and hit the test timeout; speed itself is
  // not asserted (timing belongs in benchmarks).
  it('parses a long hostile header (catastrophic backtracking would time out)', () => {
    const header = `Bearer ${'a="b",'.repeat(50_000)}${'\\'.repeat(50_000)}`;
    const [challenge] = parseWwwAuthenticate(header);
    expect(challenge?.scheme).toBe('bearer');
  });
});

describe('repositoryScope', () => {
  it.each([
    ['library/nginx', undefined, 'repository:library/nginx:pull'],
    ['team/app', ['pull', 'push'], 'repository:team/app:pull,push'],
    ['a/b_c/d__e/f.g/h--i', ['pull'], 'repository:a/b_c/d__e/f.g/h--i:pull'],
    ['x', ['*'], 'repository:x:*'],
  ] as const)('%s %j', (path, actions, expected) => {
    expect(repositoryScope(path, actions)).toBe(expected);
  });

  it.each([
    ['empty path', '', ['pull']],
    ['uppercase', 'Library/nginx', ['pull']],
    ['space smuggles a second scope', 'a repository:secret/repo', ['pull']],
    ['colon', 'a:b', ['pull']],
    ['leading slash', '/a', ['pull']],
    ['trailing slash', 'a/', ['pull']],
    ['double slash', 'a//b', ['pull']],
    ['separator at the end', 'a-', ['pull']],
    ['too long', `a${'/a'.repeat(200)}`, ['pull']],
    ['no actions', 'a', []],
    ['action with space', 'a', ['pull push']],
    ['action with comma', 'a', ['pull,push']],
    ['action with colon', 'a', ['pull:x']],
  ])('rejects %s', (_name, path, actions) => {
    expect(() => repositoryScope(path, actions)).toThrow(RegistryInputError);
  });
});
