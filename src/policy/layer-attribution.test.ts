import { describe, expect, it } from 'vitest';
import { buildFacts, nginxFacts } from './facts-fixture.js';
import { attributeLayers, cleanHistoryLine, largestLayers } from './layer-attribution.js';

describe('attributeLayers', () => {
  it('pairs non-empty history entries with layers in order', () => {
    const layers = attributeLayers(nginxFacts());
    expect(layers).toHaveLength(4);
    expect(layers.map((layer) => layer.createdBy?.slice(0, 20))).toEqual([
      'ADD file:4b1be1de1a1',
      'RUN set -x && groupa',
      'COPY file:e57eef017a',
      'COPY file:abbcbf84dc',
    ]);
  });

  it('leaves trailing layers without history unattributed', () => {
    const facts = buildFacts({ steps: [{ createdBy: 'COPY . /app # buildkit', size: 10 }], unattributedLayerSizes: [20, 30] });
    expect(attributeLayers(facts).map((layer) => [layer.index, layer.size, layer.createdBy])).toEqual([
      [0, 10, 'COPY . /app'],
      [1, 20, undefined],
      [2, 30, undefined],
    ]);
  });

  it('sorts largest first, keeping manifest order on ties', () => {
    const facts = buildFacts({ steps: [{ createdBy: 'a', size: 5 }, { createdBy: 'b', size: 9 }, { createdBy: 'c', size: 5 }] });
    expect(largestLayers(attributeLayers(facts)).map((layer) => layer.createdBy)).toEqual(['b', 'a', 'c']);
  });
});

describe('cleanHistoryLine', () => {
  it.each([
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD ["bash"]'],
    ['/bin/sh -c #(nop) COPY file:abc in /app ', 'COPY file:abc in /app'],
    ['/bin/sh -c apt-get update && apt-get install -y curl', 'RUN apt-get update && apt-get install -y curl'],
    ['RUN /bin/sh -c npm ci # buildkit', 'RUN npm ci'],
    ['RUN |2 VERSION=1.0 TARGETARCH=amd64 /bin/sh -c go build ./... # buildkit', 'RUN go build ./...'],
    ['COPY . . # buildkit', 'COPY . .'],
    ['RUN set -eux;\n\tapt-get update # buildkit', 'RUN set -eux; apt-get update'],
    ['bazel build ...', 'bazel build ...'],
  ])('%j -> %j', (line, cleaned) => {
    expect(cleanHistoryLine(line)).toBe(cleaned);
  });
});
