// Memory benchmark (not a test): bytes per cached image in slimguard's facts cache at 10k, 50k
// and 100k distinct digests, and the hard byte bound. The template is real: a golang-like image
// (7 layers, 12 history lines, index with two platforms) pushed to the harness registry and read
// back through the real image source. Each size runs in a fresh `node --expose-gc` child
// (bench/memory-fill.mjs) so figures are taken after full collections, started with the deployed
// node flags (a fixed young generation; the same fills with V8's defaults are kept beside).
// RSS per image is counted from a warmed-up process with an empty cache (memory-fill.mjs says
// why); the same from the process's cold start is kept beside. Goal: <= 2 KiB per entry.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject, it } from 'vitest';
import { createImageSource } from '../src/image-facts/create-image-source.js';
import { buildImage, buildIndex } from '../test/harness/oci-image-builder.js';
import { pushTo, uniqueRepository } from '../test/image-facts/helpers.js';
import { DEPLOYED_NODE_FLAGS } from '../test/harness/serve-process.js';
import { machine, ROOT, writeCertificates } from './support.js';

const SIZES = (process.env.BENCH_MEMORY_SIZES ?? '10000,50000,100000').split(',').map(Number);
const BOUND_BYTES = 16 * 1024 * 1024;
const GOAL_BYTES_PER_ENTRY = 2048;

function golangLikeImage(architecture: string) {
  const config = JSON.parse(readFileSync(join(ROOT, 'src', 'oci', 'testdata', 'golang-config.json'), 'utf8')) as {
    config: { Env: string[] };
    history: { created_by: string; created?: string; comment?: string; empty_layer?: boolean }[];
  };
  return buildImage({
    user: '',
    env: config.config.Env,
    labels: { 'org.opencontainers.image.source': 'https://github.com/docker-library/golang', 'org.opencontainers.image.version': '1.22.5' },
    annotations: { 'org.opencontainers.image.base.name': 'debian:bookworm', 'org.opencontainers.image.created': '2024-07-02T18:37:45Z' },
    history: config.history,
    layers: config.history.filter((h) => !h.empty_layer).map((_, i) => ({ sizeBytes: 64 + i, seed: `memory-${architecture}-${i}` })),
    platform: { os: 'linux', architecture },
  });
}

/** One fill in a fresh process, started with the deployed node flags unless `nodeFlags` says otherwise. */
function fill(templateFile: string, entries: number, maxBytes?: number, nodeFlags = DEPLOYED_NODE_FLAGS): Record<string, number> {
  const args = [...nodeFlags, '--expose-gc', join(ROOT, 'bench', 'memory-fill.mjs'), templateFile, String(entries), ...(maxBytes ? [String(maxBytes)] : [])];
  const output = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024});
  return JSON.parse(output.trim().split('\n').pop()!) as Record<string, number>;
}

it('memory: bytes per cached image, and the hard byte bound', { timeout: 30 * 60_000 }, async () => {
  const { anonymous } = inject('registries');
  const repository = uniqueRepository('memory');
  await pushTo(anonymous, repository, 'golang', buildIndex({ images: [golangLikeImage('amd64'), golangLikeImage('arm64')] }));
  const source = createImageSource({ insecureRegistries: [anonymous.host] });
  const facts = await source.getFacts({ reference: `${anonymous.host}/${repository}:golang` });
  await source.close();
  const templateFile = join(writeCertificates().dir, 'facts-template.json');
  writeFileSync(templateFile, JSON.stringify(facts));

  const sizes = SIZES.map((entries) => fill(templateFile, entries));
  // The same fills with V8's own young-generation sizing, which grows it to 64 MiB semi-spaces here.
  const v8Defaults = SIZES.map((entries) => fill(templateFile, entries, undefined, []));
  // What one more image costs once the fixed costs (hot tier, young generation, page pool) are paid.
  const marginal = sizes.slice(1).map((size, i) => ({
    from: sizes[i]!.inserted,
    to: size.inserted,
    rssBytesPerImage: Math.round((size.rssGrowthBytes! - sizes[i]!.rssGrowthBytes!) / (size.cachedImages! - sizes[i]!.cachedImages!)),
    heapBytesPerImage: Math.round((size.heapGrowthBytes! - sizes[i]!.heapGrowthBytes!) / (size.cachedImages! - sizes[i]!.cachedImages!)),
  }));
  // Far more images than the bound holds: the cache must evict and stay within its bytes.
  const bound = fill(templateFile, Math.max(...SIZES), BOUND_BYTES);
  const result = {
    benchmark: 'memory',
    machine: machine(),
    template: { layers: facts.layers.length, history: facts.history.length, platforms: facts.availablePlatforms?.length ?? 1, factsJsonBytes: JSON.stringify(facts).length },
    goal: { bytesPerEntry: `<= ${GOAL_BYTES_PER_ENTRY}` },
    nodeFlags: DEPLOYED_NODE_FLAGS,
    sizes,
    marginal,
    v8Defaults,
    bound: { maxBytes: BOUND_BYTES, ...bound },
  };
  writeFileSync(join(ROOT, 'bench', 'results', 'memory.json'), `${JSON.stringify(result, null, 2)}\n`);
  for (const [i, size] of sizes.entries()) {
    console.log(
      `memory: ${size.inserted} images: ${size.rssBytesPerImage} B RSS/image (${size.rssBytesPerImageFromColdStart} B counted from the cold start; ` +
        `${v8Defaults[i]!.rssBytesPerImage} B with V8's default young generation), ${size.heapBytesPerImage} B heap/image, cache counts ${size.countedBytesPerImage} B/image`,
    );
  }
  for (const step of marginal) console.log(`memory: ${step.from} -> ${step.to}: ${step.rssBytesPerImage} B RSS and ${step.heapBytesPerImage} B heap per added image`);
  console.log(`memory bound: ${bound.inserted} inserted, ${bound.cachedImages} kept, cache bytes at most ${bound.maxSeenCacheBytes} <= ${BOUND_BYTES}; heap growth ${bound.heapGrowthBytes} B`);
  expect(bound.maxSeenCacheBytes).toBeLessThanOrEqual(BOUND_BYTES);
  expect(bound.cachedImages).toBeLessThan(bound.inserted!);
  expect(bound.recentHits).toBe(1000);
  for (const size of [...sizes, ...v8Defaults]) expect(size.cachedImages).toBe(size.inserted);
});
