/**
 * Bounds how many distinct values one label may take. Every distinct label value is a new time
 * series held in memory here and in every Prometheus that scrapes us, so a label fed by input we
 * do not control (a registry host named in a pod spec) must not grow without limit.
 */
export interface LabelLimiter {
  /** The value to export: `value` itself while there is room (or it was seen before), else the overflow value. */
  label(value: string): string;
  /** How many distinct values currently have their own label (reserved ones included). */
  readonly size: number;
}

export interface LabelLimiterOptions {
  /** Most distinct values admitted on first come, first served, beyond the reserved ones. */
  limit: number;
  /** Values that always get their own label and do not use up the limit (e.g. configured registries). */
  reserved?: Iterable<string>;
  /** The value exported for everything past the limit. */
  overflowValue: string;
  /** Applied before counting, so case variants of one host are one series. Defaults to identity. */
  normalize?: (value: string) => string;
}

export function createLabelLimiter(options: LabelLimiterOptions): LabelLimiter {
  const normalize = options.normalize ?? ((value: string) => value);
  const reserved = new Set([...(options.reserved ?? [])].map(normalize));
  const admitted = new Set<string>();
  return {
    label(value: string): string {
      const normalized = normalize(value);
      if (reserved.has(normalized) || admitted.has(normalized)) return normalized;
      if (admitted.size < options.limit) {
        admitted.add(normalized);
        return normalized;
      }
      return options.overflowValue;
    },
    get size() {
      return reserved.size + admitted.size;
    },
  };
}
