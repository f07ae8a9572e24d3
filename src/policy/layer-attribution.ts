
import type { PolicyFacts } from './types.js';

/** One layer with the Dockerfile line that made it, so a size message can say what to cut. */
export interface AttributedLayer {
  /** Position in the manifest (base first). */
  index: number;
  digest: string;
  size: number;
  /** The history line that created the layer, cleaned up for reading; absent when history is short. */
  createdBy?: string;
}

/**
 * Pairs layers with history: entries without `empty_layer: true` match the layers in order
 * (the walk `docker history` does). When history is shorter (squashed or rewritten images), the
 * trailing layers get no line rather than a wrong one.
 */
export function attributeLayers(facts: Pick<PolicyFacts, 'layers' | 'history'>): AttributedLayer[] {
  const creators = facts.history.filter((entry) => entry.empty_layer !== true);
  return facts.layers.map((layer, index) => {
    const attributed: AttributedLayer = { index, digest: layer.digest, size: layer.size };
    const createdBy = creators[index]?.created_by;
    if (createdBy !== undefined && createdBy.trim() !== '') attributed.createdBy = cleanHistoryLine(createdBy);
    return attributed;
  });
}

/** Largest first; equal sizes keep manifest order so messages are stable. */
export function largestLayers(layers: readonly AttributedLayer[]): AttributedLayer[] {
  return [...layers].sort((a, b) => b.size - a.size || a.index - b.index);
}

/**
 * Turns the builder's record back into the Dockerfile line: the classic builder writes
 * "/bin/sh -c #(nop)  COPY file:ab12 in /app" and "/bin/sh -c apt-get ..." (a RUN); BuildKit writes
 * "RUN /bin/sh -c apt-get ... # buildkit" and "COPY . . # buildkit".
 */
export function cleanHistoryLine(createdBy: string): string {
  let line = createdBy.trim().replace(/\s*# buildkit$/, '');
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(line);
  if (nop) {
    line = line.slice(nop[0].length);
  } else if (line.startsWith('/bin/sh -c ')) {
    line = `RUN ${line.slice('/bin/sh -c '.length)}`;
  } else {
    line = line.replace(/^RUN (?:\|\d+ (?:\S+=\S* )*)?\/bin\/sh -c /, 'RUN ');
  }
  return line.replace(/\s+/g, ' ').trim();
}
