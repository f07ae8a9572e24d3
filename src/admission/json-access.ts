// Readers for JSON from the API server. Admission objects are only as well-formed as the API
// server's validation made them (and a misbehaving client or a test may send anything), so every
// reader answers "absent" for a value of the wrong shape instead of throwing a TypeError.

export type JsonObject = { readonly [key: string]: unknown };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `path` below `value`, or undefined when any step is missing or not an object. */
export function objectAt(value: unknown, path: readonly string[]): JsonObject | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return isJsonObject(current) ? current : undefined;
}

export function stringField(object: JsonObject | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' ? value : undefined;
}

export function booleanField(object: JsonObject | undefined, key: string): boolean | undefined {
  const value = object?.[key];
  return typeof value === 'boolean' ? value : undefined;
}

/** An integer field (Kubernetes int64 fields arrive as JSON numbers). */
export function integerField(object: JsonObject | undefined, key: string): number | undefined {
  const value = object?.[key];
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

/** A map of string to string (labels, nodeSelector); entries with non-string values are dropped. */
export function stringMapField(object: JsonObject | undefined, key: string): Record<string, string> {
  const value = object?.[key];
  const result: Record<string, string> = {};
  if (!isJsonObject(value)) return result;
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry === 'string') result[name] = entry;
  }
  return result;
}

/** Quote a value from the request for a message, short enough to keep logs readable. */
export function quoteShort(value: unknown, max = 64): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === undefined) return 'nothing';
  else if (value === null) return 'null';
  else if (Array.isArray(value)) return 'an array';
  else if (typeof value === 'object') return 'an object';
  else text = String(value);
  const short = [...text].length > max ? `${[...text].slice(0, max).join('')}…` : text;
  return typeof value === 'string' ? JSON.stringify(short) : short;
}
