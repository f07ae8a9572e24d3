import { describe, expect, it } from 'vitest';
import { defaultPolicy } from '../config/default-policy.js';
import type { ImageFacts } from '../image-facts/image-facts.js';
import type { FactsRequest, ImageSource } from '../image-facts/image-source.js';
import { formatPlatform } from '../oci/platform.js';
import type { Platform } from '../oci/types.js';
import { buildFacts } from '../policy/facts-fixture.js';
import { runCheck } from './check-command.js';

const AMD64: Platform = { os: 'linux', architecture: 'amd64' };
const ARM64: Platform = { os: 'linux', architecture: 'arm64', variant: 'v8' };
const ARMV7: Platform = { os: 'linux', architecture: 'arm', variant: 'v7' };

/** A fake source: "multi:*" references are indexes of three platforms, others single amd64 images. */
function fakeSource(options: { delayMs?: number; fail?: (reference: string) => boolean } = {}) {
  const calls: { reference: string; platform: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const source: ImageSource = {
    async getFacts(request: FactsRequest): Promise<ImageFacts> {
      const wanted = request.platform ?? AMD64;
      calls.push({ reference: request.reference, platform: formatPlatform(wanted) });
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 1));
        if (options.fail?.(request.reference)) throw Object.assign(new Error('registry says no'), { code: 'NOT_FOUND' });
        const multi = request.reference.startsWith('multi:');
        const platform = multi ? ([AMD64, ARM64, ARMV7].find((p) => p.architecture === wanted.architecture) ?? AMD64) : AMD64;
        const facts = buildFacts({ reference: request.reference, user: '1000', platform }) as unknown as ImageFacts;
        facts.digest = `sha256:${Buffer.from(`${request.reference}|${multi ? formatPlatform(platform) : ''}`).toString('hex').padEnd(64, '0').slice(0, 64)}`;
        if (multi) facts.availablePlatforms = [AMD64, ARM64, ARMV7];
        return facts;
      } finally {
        inFlight -= 1;
      }
    },
    getProvenance: async () => undefined,
  };
  return { source, calls, maxInFlight: () => maxInFlight };
}

describe('runCheck', () => {
  it('keeps at most `concurrency` lookups in flight and the results in the order of the images', async () => {
    const fake = fakeSource({ delayMs: 10 });
    const images = Array.from({ length: 10 }, (_, i) => `img${i}`);
    const results = await runCheck({ images, source: fake.source, policy: defaultPolicy, concurrency: 3 });
    expect(results.map((r) => r.image)).toEqual(images);
    expect(fake.maxInFlight()).toBe(3);
  });

  it('bounds the per-platform lookups of --all-platforms by the same limit', async () => {
    const fake = fakeSource({ delayMs: 10 });
    const images = Array.from({ length: 4 }, (_, i) => `multi:${i}`);
    const results = await runCheck({ images, source: fake.source, policy: defaultPolicy, allPlatforms: true, concurrency: 2 });
    expect(results).toHaveLength(12);
    expect(fake.maxInFlight()).toBe(2);
  });

  it('judges every platform of an index with allPlatforms: the first lookup says which, in index order', async () => {
    const fake = fakeSource();
    const results = await runCheck({ images: ['multi:a', 'single'], source: fake.source, policy: defaultPolicy, allPlatforms: true });
    expect(results.map((r) => ('judgement' in r ? `${r.image} ${formatPlatform(r.judgement.facts.platform)}` : 'error'))).toEqual([
      'multi:a linux/amd64',
      'multi:a linux/arm64/v8',
      'multi:a linux/arm/v7',
      'single linux/amd64',
    ]);
    // The default platform's lookup is reused, not repeated.
    expect(fake.calls.filter((c) => c.reference === 'multi:a').map((c) => c.platform)).toEqual([
      'linux/amd64',
      'linux/arm64/v8',
      'linux/arm/v7',
    ]);
  });

  it('judges each requested platform once (aliases are one platform) and each manifest once', async () => {
    const fake = fakeSource();
    const platforms = [ARM64, { os: 'linux', architecture: 'aarch64' }, AMD64];
    const results = await runCheck({ images: ['multi:a', 'single'], source: fake.source, policy: defaultPolicy, platforms });
    expect(results.map((r) => ('judgement' in r ? `${r.image} ${formatPlatform(r.judgement.facts.platform)}` : 'error'))).toEqual([
      'multi:a linux/arm64/v8',
      'multi:a linux/amd64',
      // A single-platform image is the same manifest whatever was asked: one result.
      'single linux/amd64',
    ]);
    expect(fake.calls.filter((c) => c.reference === 'multi:a')).toHaveLength(2);
  });

  it('keeps one image failing from hiding the others, and records the platform asked for on the error', async () => {
    const fake = fakeSource({ fail: (reference) => reference === 'broken' });
    const results = await runCheck({ images: ['broken', 'single'], source: fake.source, policy: defaultPolicy, platforms: [ARM64] });
    expect(results[0]).toEqual({ image: 'broken', platform: ARM64, error: { code: 'NOT_FOUND', message: 'broken: registry says no' } });
    expect(results[1]).toMatchObject({ image: 'single', judgement: { verdict: { decision: 'allow' } } });
  });

  it('records no platform on an error when none was asked for', async () => {
    const fake = fakeSource({ fail: () => true });
    const [result] = await runCheck({ images: ['x'], source: fake.source, policy: defaultPolicy });
    expect(result).toEqual({ image: 'x', error: { code: 'NOT_FOUND', message: 'x: registry says no' } });
  });

  it('reports each image as done once, after all its platforms', async () => {
    const fake = fakeSource();
    const done: string[] = [];
    await runCheck({
      images: ['multi:a', 'single', 'multi:b'],
      source: fake.source,
      policy: defaultPolicy,
      allPlatforms: true,
      onImageDone: (image) => {
        done.push(image);
        // Every platform lookup of the image has been made by then.
        expect(fake.calls.filter((c) => c.reference === image)).toHaveLength(image === 'single' ? 1 : 3);
      },
    });
    expect([...done].sort()).toEqual(['multi:a', 'multi:b', 'single']);
  });
});
