import type { HistoryEntry, ImageConfig } from './types.js';

/** One layer of an image config with the history line that created it, when there is one. */
export interface LayerHistory {
  /** Position in rootfs.diff_ids and in the manifest's layers (base first). */
  layerIndex: number;
  diffId: string;
  /** The non-empty history entry at the same position; absent when history is shorter than the layers. */
  history?: HistoryEntry;
}

/**
 * Pairs each layer with the history entry that created it. History entries without
 * `empty_layer: true` correspond, in order, to layers — the same walk `docker history` does.
 * Images whose history was rewritten (squashed, appended by tools that skip history) may have fewer
 * entries than layers: the trailing layers then have no history rather than a wrong one.
 */
export function nonEmptyLayerHistory(config: ImageConfig): LayerHistory[] {
  const layerCreators = config.history.filter((entry) => entry.empty_layer !== true);
  return config.rootfs.diff_ids.map((diffId, layerIndex) => {
    const pair: LayerHistory = { layerIndex, diffId };
    const history = layerCreators[layerIndex];
    if (history !== undefined) pair.history = history;
    return pair;
  });
}
