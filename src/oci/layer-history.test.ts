import { describe, expect, it } from 'vitest';
import { nonEmptyLayerHistory } from './layer-history.js';
import { parseImageConfig } from './parse-image-config.js';
import classicConfig from './testdata/classic-builder-config.json' with { type: 'json' };
import golangConfig from './testdata/golang-config.json' with { type: 'json' };
import type { ImageConfig } from './types.js';

function config(json: unknown): ImageConfig {
  return parseImageConfig(new TextEncoder().encode(JSON.stringify(json)));
}

const diffId = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;

describe('nonEmptyLayerHistory', () => {
  it('pairs each golang layer with the history line that created it, skipping ENV lines', () => {
    const pairs = nonEmptyLayerHistory(config(golangConfig));
    expect(pairs).toHaveLength(7);
    expect(pairs.map((pair) => pair.layerIndex)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(pairs[0]?.history?.created_by).toMatch(/^# debian\.sh/);
    expect(pairs[1]?.history?.created_by).toContain('ca-certificates');
    expect(pairs[3]?.history?.created_by).toContain('g++');
    expect(pairs[4]?.history?.created_by).toBe('COPY /target/ / # buildkit');
    expect(pairs[6]?.history?.created_by).toBe('WORKDIR /go');
    expect(pairs.every((pair) => pair.history?.empty_layer !== true)).toBe(true);
    expect(pairs[2]?.diffId).toBe(golangConfig.rootfs.diff_ids[2]);
  });

  it('pairs classic-builder layers too', () => {
    const pairs = nonEmptyLayerHistory(config(classicConfig));
    expect(pairs.map((pair) => pair.history?.created_by)).toEqual([
      '/bin/sh -c #(nop) ADD file:0123456789abcdef in / ',
      '/bin/sh -c set -x && apt-get update && apt-get install nginx',
      '/bin/sh -c #(nop) COPY file:abc in /docker-entrypoint.sh ',
    ]);
  });

  it('leaves trailing layers without history when history is short', () => {
    const pairs = nonEmptyLayerHistory(
      config({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [diffId(1), diffId(2), diffId(3)] },
        history: [{ created_by: 'ADD base' }, { created_by: 'ENV A=1', empty_layer: true }],
      }),
    );
    expect(pairs).toEqual([
      { layerIndex: 0, diffId: diffId(1), history: { created_by: 'ADD base' } },
      { layerIndex: 1, diffId: diffId(2) },
      { layerIndex: 2, diffId: diffId(3) },
    ]);
  });

  it('gives one entry per layer even with no history at all', () => {
    const pairs = nonEmptyLayerHistory(
      config({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [diffId(9)] } }),
    );
    expect(pairs).toEqual([{ layerIndex: 0, diffId: diffId(9) }]);
  });
});
