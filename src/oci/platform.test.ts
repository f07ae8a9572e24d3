import { describe, expect, it } from 'vitest';
import { OciFormatError } from './errors.js';
import { OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import { parseManifest } from './parse-manifest.js';
import {
  choosePlatformManifest,
  findAttestationFor,
  formatPlatform,
  isAttestationDescriptor,
  listPlatforms,
  normalizePlatform,
  parsePlatform,
  platformMatches,
} from './platform.js';
import alpineIndexJson from './testdata/alpine-index.json' with { type: 'json' };
import golangIndexJson from './testdata/golang-index.json' with { type: 'json' };
import type { Descriptor, ImageIndex, Platform } from './types.js';

function loadIndex(json: unknown): ImageIndex {
  const parsed = parseManifest(new TextEncoder().encode(JSON.stringify(json)));
  if (parsed.kind !== 'index') throw new Error('expected an index');
  return parsed;
}

const golang = loadIndex(golangIndexJson);
const alpine = loadIndex(alpineIndexJson);

/** The bashbrew arch key Docker Hub puts on each entry: a readable name for the chosen descriptor. */
function archKey(descriptor: Descriptor | undefined): string | undefined {
  return descriptor?.annotations?.['com.docker.official-images.bashbrew.arch'];
}

let counter = 0;
function entry(platform: Platform | undefined, mediaType = OCI_MANIFEST): Descriptor {
  counter += 1;
  const descriptor: Descriptor = { mediaType, digest: `sha256:${counter.toString(16).padStart(64, '0')}`, size: 100 };
  if (platform !== undefined) descriptor.platform = platform;
  return descriptor;
}

function index(...manifests: Descriptor[]): ImageIndex {
  return { kind: 'index', schemaVersion: 2, mediaType: OCI_INDEX, manifests };
}

const p = (text: string): Platform => parsePlatform(text);

describe('parsePlatform', () => {
  it.each<[string, Platform]>([
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['Linux/AMD64', { os: 'linux', architecture: 'amd64' }],
    [' linux/s390x ', { os: 'linux', architecture: 's390x' }],
    ['windows(10.0.20348.2582)/amd64', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2582' }],
    ['linux/x86_64', { os: 'linux', architecture: 'x86_64' }],
  ])('parses %j', (text, expected) => {
    expect(parsePlatform(text)).toEqual(expected);
  });

  it.each(['', 'linux', 'amd64', 'linux/', '/amd64', 'linux/amd64/v8/extra', 'linux/am d64', '*/amd64', 'linux//v7', 'linux/arm/'])(
    'rejects %j',
    (text) => {
      let error: unknown;
      try {
        parsePlatform(text);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(OciFormatError);
      expect((error as OciFormatError).code).toBe('INVALID_PLATFORM');
      expect((error as OciFormatError).message).toContain('OS/ARCH');
    },
  );
});

describe('formatPlatform', () => {
  it.each<[Platform, string]>([
    [{ os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7'],
    [{ os: 'linux', architecture: 'amd64' }, 'linux/amd64'],
    [{ os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.6054' }, 'windows/amd64'],
    [{ os: '', architecture: 'amd64' }, 'unknown'],
    [{ os: 'linux', architecture: 'arm64', variant: '' }, 'linux/arm64'],
  ])('formats %j as %s', (platform, text) => {
    expect(formatPlatform(platform)).toBe(text);
  });
});

describe('normalizePlatform (containerd platforms.Normalize)', () => {
  it.each<[string, string]>([
    ['linux/aarch64', 'linux/arm64'],
    ['linux/arm64/v8', 'linux/arm64'],
    ['linux/arm64/8', 'linux/arm64'],
    ['linux/arm64/v8.0', 'linux/arm64'],
    ['linux/aarch64/v8', 'linux/arm64'],
    ['linux/arm64/9', 'linux/arm64/v9'],
    ['linux/arm64/v9.0', 'linux/arm64/v9'],
    ['linux/arm64/v8.2', 'linux/arm64/v8.2'],
    ['linux/x86_64', 'linux/amd64'],
    ['linux/x86-64', 'linux/amd64'],
    ['linux/amd64/v1', 'linux/amd64'],
    ['linux/amd64/v3', 'linux/amd64/v3'],
    ['linux/i386', 'linux/386'],
    ['linux/armhf', 'linux/arm/v7'],
    ['linux/armel', 'linux/arm/v6'],
    ['linux/arm', 'linux/arm/v7'],
    ['linux/arm/7', 'linux/arm/v7'],
    ['linux/arm/6', 'linux/arm/v6'],
    ['linux/arm/5', 'linux/arm/v5'],
    ['linux/arm/v8', 'linux/arm/v8'],
    ['macos/arm64', 'darwin/arm64'],
    ['linux/ppc64le', 'linux/ppc64le'],
    ['linux/riscv64', 'linux/riscv64'],
  ])('%s -> %s', (input, expected) => {
    expect(formatPlatform(normalizePlatform(parsePlatform(input)))).toBe(expected);
  });

  it('lower-cases platforms from documents and keeps os.version and os.features', () => {
    expect(
      normalizePlatform({ os: 'Windows', architecture: 'AMD64', 'os.version': '10.0.20348.2582', 'os.features': ['win32k'] }),
    ).toEqual({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.2582', 'os.features': ['win32k'] });
  });

  it('is idempotent', () => {
    for (const text of ['linux/aarch64', 'linux/armhf', 'linux/amd64/v1', 'linux/arm', 'linux/arm64/9']) {
      const once = normalizePlatform(parsePlatform(text));
      expect(normalizePlatform(once)).toEqual(once);
    }
  });
});

describe('platformMatches', () => {
  it.each<[string, string, boolean]>([
    ['linux/arm64', 'linux/arm64/v8', true],
    ['linux/arm64/v8', 'linux/arm64', true],
    ['linux/aarch64', 'linux/arm64', true],
    ['linux/arm', 'linux/arm/v7', true],
    ['linux/armhf', 'linux/arm/v7', true],
    ['linux/arm/v6', 'linux/arm/v7', false],
    ['linux/amd64', 'linux/amd64/v1', true],
    ['linux/amd64', 'linux/x86_64', true],
    ['linux/amd64', 'linux/amd64/v2', false],
    ['linux/amd64', 'windows/amd64', false],
    ['linux/amd64', 'linux/386', false],
    ['linux/arm64', 'linux/arm64/v9', false],
  ])('%s vs %s: %s', (wanted, candidate, expected) => {
    expect(platformMatches(p(wanted), p(candidate))).toBe(expected);
  });
});

describe('attestations', () => {
  it('recognises BuildKit attestation entries of the golang index', () => {
    const attestations = golang.manifests.filter(isAttestationDescriptor);
    expect(attestations).toHaveLength(8);
    expect(attestations.every((d) => d.platform?.os === 'unknown')).toBe(true);
  });

  it('recognises an attestation by annotation alone, and by unknown/unknown alone', () => {
    expect(isAttestationDescriptor({ ...entry({ os: 'linux', architecture: 'amd64' }), annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } })).toBe(true);
    expect(isAttestationDescriptor(entry({ os: 'unknown', architecture: 'unknown' }))).toBe(true);
    expect(isAttestationDescriptor(entry({ os: 'linux', architecture: 'amd64' }))).toBe(false);
    expect(isAttestationDescriptor(entry(undefined))).toBe(false);
  });

  it('finds the attestation of a platform manifest by vnd.docker.reference.digest', () => {
    const arm64 = choosePlatformManifest(golang, p('linux/arm64'));
    if (arm64 === undefined) throw new Error('expected arm64');
    const attestation = findAttestationFor(golang, arm64.digest);
    expect(attestation?.annotations?.['vnd.docker.reference.digest']).toBe(arm64.digest);
    expect(attestation?.annotations?.['com.docker.official-images.bashbrew.arch']).toBe('arm64v8');
    expect(findAttestationFor(golang, `sha256:${'0'.repeat(64)}`)).toBeUndefined();
    // Windows images are not built by BuildKit on Docker Hub: no attestation.
    const windows = choosePlatformManifest(golang, p('windows/amd64'));
    expect(windows).toBeDefined();
    expect(findAttestationFor(golang, windows?.digest ?? '')).toBeUndefined();
  });
});

describe('listPlatforms', () => {
  it('lists runnable platforms in index order without attestations', () => {
    expect(listPlatforms(golang).map(formatPlatform)).toEqual([
      'linux/amd64',
      'linux/arm/v5',
      'linux/arm/v7',
      'linux/arm64/v8',
      'linux/386',
      'linux/mips64le',
      'linux/ppc64le',
      'linux/s390x',
      'windows/amd64',
      'windows/amd64',
    ]);
    expect(listPlatforms(alpine).map(formatPlatform)).toContain('linux/riscv64');
    expect(listPlatforms(index(entry({ os: 'unknown', architecture: 'unknown' })))).toEqual([]);
  });
});

describe('choosePlatformManifest', () => {
  it.each<[string, string]>([
    ['linux/amd64', 'amd64'],
    ['linux/x86_64', 'amd64'],
    ['linux/arm64', 'arm64v8'],
    ['linux/arm64/v8', 'arm64v8'],
    ['linux/aarch64', 'arm64v8'],
    ['linux/arm/v7', 'arm32v7'],
    ['linux/arm', 'arm32v7'],
    ['linux/armhf', 'arm32v7'],
    ['linux/arm/v6', 'arm32v5'],
    ['linux/386', 'i386'],
    ['linux/s390x', 's390x'],
  ])('golang for %s is %s', (wanted, expected) => {
    expect(archKey(choosePlatformManifest(golang, p(wanted)))).toBe(expected);
  });

  it('prefers the exact arm variant over an older compatible one (alpine)', () => {
    expect(archKey(choosePlatformManifest(alpine, p('linux/arm/v6')))).toBe('arm32v6');
    expect(archKey(choosePlatformManifest(alpine, p('linux/arm/v7')))).toBe('arm32v7');
    expect(archKey(choosePlatformManifest(alpine, p('linux/arm/v8')))).toBe('arm32v7');
  });

  it('returns undefined when nothing fits and never an attestation', () => {
    expect(choosePlatformManifest(golang, p('linux/riscv64'))).toBeUndefined();
    expect(choosePlatformManifest(alpine, p('linux/mips64le'))).toBeUndefined();
    expect(choosePlatformManifest(golang, { os: 'unknown', architecture: 'unknown' })).toBeUndefined();
    expect(choosePlatformManifest(golang, p('darwin/arm64'))).toBeUndefined();
  });

  it('does not cross architectures (amd64 never takes 386)', () => {
    expect(choosePlatformManifest(index(entry(p('linux/386'))), p('linux/amd64'))).toBeUndefined();
  });

  it('picks the Windows entry whose os.version matches, else the first', () => {
    const ltsc2019 = choosePlatformManifest(golang, p('windows(10.0.17763.6054)/amd64'));
    expect(ltsc2019?.platform?.['os.version']).toBe('10.0.17763.6054');
    expect(choosePlatformManifest(golang, p('windows/amd64'))?.platform?.['os.version']).toBe('10.0.20348.2582');
  });

  describe('amd64 microarchitecture levels', () => {
    const plain = entry(p('linux/amd64'));
    const v2 = entry(p('linux/amd64/v2'));
    const v3 = entry(p('linux/amd64/v3'));
    const v1 = entry(p('linux/amd64/v1'));

    it('prefers a plain amd64 over v2/v3 whatever the order', () => {
      expect(choosePlatformManifest(index(v3, v2, plain), p('linux/amd64'))).toBe(plain);
      expect(choosePlatformManifest(index(v3, v1), p('linux/amd64'))).toBe(v1);
    });

    it('lets v2/v3 satisfy a plain amd64 only when no plain one exists, oldest first', () => {
      expect(choosePlatformManifest(index(v3, v2), p('linux/amd64'))).toBe(v2);
      expect(choosePlatformManifest(index(v3), p('linux/amd64'))).toBe(v3);
    });

    it('takes the exact level, then the closest older one', () => {
      expect(choosePlatformManifest(index(plain, v2, v3), p('linux/amd64/v3'))).toBe(v3);
      expect(choosePlatformManifest(index(plain, v2), p('linux/amd64/v3'))).toBe(v2);
      expect(choosePlatformManifest(index(plain), p('linux/amd64/v3'))).toBe(plain);
    });

    it('never takes a newer level than an explicitly wanted one', () => {
      expect(choosePlatformManifest(index(v3), p('linux/amd64/v2'))).toBeUndefined();
      expect(choosePlatformManifest(index(v2), p('linux/amd64/v1'))).toBeUndefined();
    });
  });

  describe('arm64 variants (containerd compare.go)', () => {
    const v8 = entry(p('linux/arm64/v8'));
    const v81 = entry(p('linux/arm64/v8.1'));
    const v85 = entry(p('linux/arm64/v8.5'));
    const v9 = entry(p('linux/arm64/v9'));

    it('arm64/v8.2 runs v8.1 before v8', () => {
      expect(choosePlatformManifest(index(v8, v81), p('linux/arm64/v8.2'))).toBe(v81);
    });

    it('arm64/v9 runs v9, then v8.5 down to v8', () => {
      expect(choosePlatformManifest(index(v8, v85, v9), p('linux/arm64/v9'))).toBe(v9);
      expect(choosePlatformManifest(index(v8, v85), p('linux/arm64/v9'))).toBe(v85);
    });

    it('arm64/v8 never takes v9 when asked explicitly, but a bare arm64 does as a last resort', () => {
      expect(choosePlatformManifest(index(v9), p('linux/arm64/v8'))).toBeUndefined();
      expect(choosePlatformManifest(index(v9), p('linux/arm64'))).toBe(v9);
      expect(choosePlatformManifest(index(v9, v8), p('linux/arm64'))).toBe(v8);
    });
  });

  it('prefers an older variant the node runs over a newer one it might not', () => {
    const v6 = entry(p('linux/arm/v6'));
    const v8 = entry(p('linux/arm/v8'));
    expect(choosePlatformManifest(index(v8, v6), p('linux/arm'))).toBe(v6);
    expect(choosePlatformManifest(index(v8), p('linux/arm'))).toBe(v8);
    expect(choosePlatformManifest(index(v8), p('linux/arm/v7'))).toBeUndefined();
  });

  it('skips entries without a platform and nested indexes', () => {
    const noPlatform = entry(undefined);
    const nested = entry(p('linux/amd64'), OCI_INDEX);
    const real = entry(p('linux/amd64'));
    expect(choosePlatformManifest(index(noPlatform, nested, real), p('linux/amd64'))).toBe(real);
    expect(choosePlatformManifest(index(noPlatform, nested), p('linux/amd64'))).toBeUndefined();
  });
});
