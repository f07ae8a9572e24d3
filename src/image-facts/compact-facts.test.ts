import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { golangAppFacts, nginxFacts } from '../policy/facts-fixture.js';
import { createFactsCodec } from './compact-facts.js';
import type { ImageFacts } from './image-facts.js';

const GOLANG_APP = golangAppFacts() as unknown as ImageFacts;
const NGINX = nginxFacts() as unknown as ImageFacts;

/** Every ImageFacts field, optional ones included. */
function everyField(): ImageFacts {
  return {
    ...GOLANG_APP,
    indexDigest: `sha256:${'ab'.repeat(32)}`,
    platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2582', 'os.features': ['win32k'] },
    created: '2024-07-02T18:37:45Z',
    availablePlatforms: [{ os: 'linux', architecture: 'arm64', variant: 'v8' }, { os: 'linux', architecture: 'amd64' }],
    attestation: { digest: `sha256:${'cd'.repeat(32)}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 566 },
    provenance: { predicateType: 'https://slsa.dev/provenance/v0.2', materials: [{ uri: 'pkg:docker/golang@1.22', digest: { sha256: 'ef'.repeat(32) } }] },
    // Parsed, as a registry answer is: a literal `__proto__:` would set the prototype instead.
    labels: JSON.parse('{"org.opencontainers.image.title": "ünïcode ✓ 𝄞", "__proto__": "a label, not a prototype"}') as Record<string, string>,
  };
}

describe('compact facts', () => {
  it('round-trips every field, optional ones included, in far fewer bytes than the JSON', () => {
    const codec = createFactsCodec({ maxInternBytes: 1024 * 1024 });
    const original = JSON.parse(JSON.stringify(everyField())) as ImageFacts;
    // Met once, everything is inline; met again, the shared parts are ids.
    const firstSight = codec.encode(structuredClone(original));
    expect(codec.decode(firstSight)).toStrictEqual(original);
    const compact = codec.encode(original);
    const back = codec.decode(compact);
    expect(back).toStrictEqual(original);
    expect(Object.getPrototypeOf(back.labels)).toBe(Object.prototype);
    expect(Object.keys(back.labels)).toContain('__proto__');
    expect(compact.length).toBeLessThan(JSON.stringify(original).length / 2);
    expect(compact.length).toBeLessThan(firstSight.length / 2);
    expect(codec.decode(codec.encode(NGINX))).toStrictEqual(NGINX);
    // A reference pinned by the facts' own digest costs its name and a 2-byte back reference.
    const pinned = { ...NGINX, reference: `docker.io/library/nginx@${NGINX.digest}` };
    const pinnedCompact = codec.encode(pinned);
    expect(codec.decode(pinnedCompact)).toStrictEqual(pinned);
    expect(pinnedCompact.length).toBeLessThan(codec.encode(NGINX).length + 'docker.io/library/nginx'.length + 8);
  });

  it('costs an image sharing history, env and labels with earlier ones only its own digests and names', () => {
    const codec = createFactsCodec({ maxInternBytes: 1024 * 1024 });
    codec.encode(structuredClone(GOLANG_APP));
    codec.encode({ ...structuredClone(GOLANG_APP), digest: `sha256:${'11'.repeat(32)}` });
    const tableAfterTwo = codec.internBytes();
    const third = { ...structuredClone(GOLANG_APP), reference: `${GOLANG_APP.reference}-3`, digest: `sha256:${'12'.repeat(32)}` };
    const compact = codec.encode(third);
    // Its new reference is met for the first time: it stays inline, and the table does not grow.
    expect(codec.internBytes()).toBe(tableAfterTwo);
    // 33 bytes per digest instead of 71 characters, the reference inline, and a few bytes of
    // tags, lengths and ids per field: ~1 KB for 4.6 KB of JSON.
    const digests = JSON.stringify(third).match(/sha256:[0-9a-f]{64}/g)!.length;
    expect(compact.length).toBeLessThan(digests * 33 + third.reference.length + 300);
    expect(codec.decode(compact)).toStrictEqual(third);
    // Met again, that reference earns its place.
    codec.encode({ ...third, digest: `sha256:${'13'.repeat(32)}` });
    expect(codec.internBytes() - tableAfterTwo).toBeGreaterThan(third.reference.length);
    expect(codec.internBytes() - tableAfterTwo).toBeLessThanOrEqual(third.reference.length * 2 + 64);
  });

  it('keeps what only one image holds out of the table, which never shrinks: it leaves with its entry', () => {
    const codec = createFactsCodec({ maxInternBytes: 1024 * 1024 });
    /** Image i: its own repository, build timestamps and last history line, on a shared base. */
    const image = (i: number): ImageFacts => ({
      ...structuredClone(GOLANG_APP),
      reference: `registry.example.com/ci/pr-${i}:build`,
      digest: `sha256:${i.toString(16).padStart(64, '0')}`,
      created: `2026-12-02T03:${String(i % 60).padStart(2, '0')}:${String(i).padStart(6, '0')}Z`,
      history: [...structuredClone(GOLANG_APP.history), { created: `build ${i}`, created_by: `COPY app-${i} /app # buildkit` }],
    });
    const compacts = [codec.encode(image(0)), codec.encode(image(1))];
    const tableAfterTwo = codec.internBytes();
    for (let i = 2; i < 300; i++) compacts.push(codec.encode(image(i)));
    // Keys, the base's history entries and env were shared by the first two; nothing after.
    expect(codec.internBytes()).toBe(tableAfterTwo);
    expect(compacts.map((compact) => codec.decode(compact))).toStrictEqual(Array.from({ length: 300 }, (_, i) => image(i)));
    // The base's history entries are shared: the decoded images hold the same frozen objects.
    const [a, b] = [codec.decode(compacts[100]!), codec.decode(compacts[200]!)];
    expect(b.history[0]).toBe(a.history[0]);
    expect(b.history).not.toBe(a.history);
  });

  it('decodes the shared parts once: every image read back holds the same frozen history and env', () => {
    const codec = createFactsCodec({ maxInternBytes: 1024 * 1024 });
    codec.encode(structuredClone(GOLANG_APP));
    const second = { ...structuredClone(GOLANG_APP), digest: `sha256:${'34'.repeat(32)}` };
    const [one, two] = [codec.decode(codec.encode(structuredClone(GOLANG_APP))), codec.decode(codec.encode(second))];
    expect(one).toStrictEqual(GOLANG_APP);
    expect(two).toStrictEqual(second);
    expect(one).not.toBe(two);
    expect(two.history).toBe(one.history);
    expect(two.env).toBe(one.env);
    // Shared, so no reader may change them for the others.
    expect(Object.isFrozen(one.history)).toBe(true);
    expect(Object.isFrozen(one.history[0])).toBe(true);
    expect(() => (one.env as string[]).push('X=1')).toThrow(TypeError);
    // Facts holding a shared part encode to the same bytes again.
    expect(codec.decode(codec.encode(two))).toStrictEqual(second);
  });

  it('writes strings inline once its table is full, and never counts more than its bound', () => {
    const codec = createFactsCodec({ maxInternBytes: 2_000 });
    const many = Array.from({ length: 200 }, (_, i) => ({ ...GOLANG_APP, user: `user-${i}`, env: [`N=${i}`] }));
    const compacts = many.map((facts) => {
      const compact = codec.encode(facts);
      expect(codec.internBytes()).toBeLessThanOrEqual(2_000);
      return compact;
    });
    expect(compacts.map((compact) => codec.decode(compact))).toStrictEqual(many);
  });

  it('round-trips any JSON value an image could carry (fast-check)', () => {
    const codec = createFactsCodec({ maxInternBytes: 64 * 1024 });
    const digest = fc.stringMatching(/^sha256:[0-9a-f]{64}$/);
    const facts = fc.record({
      reference: fc.string(),
      digest,
      labels: fc.dictionary(fc.string(), fc.oneof(fc.string(), digest)),
      history: fc.array(fc.record({ created_by: fc.string({ unit: 'grapheme' }), empty_layer: fc.boolean() }, { requiredKeys: [] })),
      layers: fc.array(fc.record({ digest, size: fc.oneof(fc.maxSafeNat(), fc.integer(), fc.double()) })),
      extra: fc.jsonValue(),
    });
    fc.assert(
      fc.property(facts, (value) => {
        // As a registry answer is parsed: plain objects (fast-check makes null-prototype ones).
        const original = JSON.parse(JSON.stringify(value)) as ImageFacts;
        expect(codec.decode(codec.encode(original))).toStrictEqual(original);
      }),
    );
  });

  it('refuses a string it did not make instead of answering wrong facts', () => {
    const codec = createFactsCodec({ maxInternBytes: 1024 });
    const compact = codec.encode(GOLANG_APP);
    expect(() => codec.decode(compact.slice(0, compact.length - 5))).toThrow(RangeError);
    expect(() => codec.decode('\u00ff')).toThrow(RangeError);
    expect(() => codec.decode(`${compact}\u0000`)).toThrow(RangeError);
  });
});
