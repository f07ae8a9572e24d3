import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageFactsError } from '../../src/image-facts/errors.js';
import { createOciLayoutSource, parseOciLayoutReference } from '../../src/image-facts/oci-layout-source.js';
import { buildImage, buildIndex, writeOciLayout, type BuiltImage } from '../harness/oci-image-builder.js';

let dir: string;
let app: BuiltImage;
const source = createOciLayoutSource();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slimguard-layout-'));
  app = buildImage({ user: 'app', layers: [{ sizeBytes: 2000, seed: 'l1' }, { sizeBytes: 500, seed: 'l2' }] });
  const multi = buildIndex({
    images: [
      buildImage({ user: '0', platform: { os: 'linux', architecture: 'amd64' }, layers: [{ sizeBytes: 10, seed: 'a' }] }),
      buildImage({ user: '1', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [{ sizeBytes: 20, seed: 'b' }] }),
    ],
    attestations: true,
  });
  await writeOciLayout(dir, { app, multi });
  // Layer blobs are never read: remove them to prove it (a layout from `buildx --output type=oci`
  // can be gigabytes; judging it must cost only index, manifest and config).
  for (const layer of app.layers) await rm(join(dir, 'blobs', 'sha256', layer.digest.slice('sha256:'.length)));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('OCI image layout source', () => {
  it('splits oci:DIR[:REF] at the first colon like skopeo', () => {
    expect(parseOciLayoutReference('oci:./out:app')).toEqual({ dir: './out', ref: 'app' });
    expect(parseOciLayoutReference('oci:/tmp/x')).toEqual({ dir: '/tmp/x' });
    expect(parseOciLayoutReference('oci:/tmp/x:sha256:abc')).toEqual({ dir: '/tmp/x', ref: 'sha256:abc' });
  });

  it('reads facts by ref name without reading layer blobs', async () => {
    const facts = await source.getFacts({ reference: `oci:${dir}:app` });
    expect(facts.digest).toBe(app.manifest.digest);
    expect(facts.registry).toBe('oci-layout');
    expect(facts.user).toBe('app');
    expect(facts.compressedSizeBytes).toBe(app.layers[0]!.size + app.layers[1]!.size);
  });

  it('chooses a platform inside a multi-platform layout and reads its provenance', async () => {
    const facts = await source.getFacts({ reference: `oci:${dir}:multi`, platform: { os: 'linux', architecture: 'arm64' } });
    expect(facts.user).toBe('1');
    expect(facts.attestation).toBeDefined();
    const provenance = await source.getProvenance({ facts });
    expect(provenance?.materials.length).toBeGreaterThan(0);
  });

  it('asks for a ref when the layout holds several images, and names the refs it has', async () => {
    await expect(source.getFacts({ reference: `oci:${dir}` })).rejects.toThrow(/name one as oci:DIR:REF \(refs: app, multi\)/);
    await expect(source.getFacts({ reference: `oci:${dir}:nope` })).rejects.toThrow(/no image "nope"/);
  });

  it('says when a directory is not a layout', async () => {
    const error = await source.getFacts({ reference: `oci:${join(dir, 'blobs')}:x` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageFactsError);
    expect((error as Error).message).toMatch(/is not an OCI image layout/);
  });

  it('refuses a blob whose content does not match its digest', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'slimguard-layout-bad-'));
    await writeOciLayout(broken, { app });
    const configPath = join(broken, 'blobs', 'sha256', app.config.digest.slice('sha256:'.length));
    await writeFile(configPath, '{"tampered":true}');
    const error = await source.getFacts({ reference: `oci:${broken}:app` }).catch((e: unknown) => e);
    expect((error as ImageFactsError).code).toBe('DIGEST_MISMATCH');
    expect(await readdir(join(broken, 'blobs', 'sha256'))).toContain(app.config.digest.slice('sha256:'.length));
    await rm(broken, { recursive: true, force: true });
  });
});
