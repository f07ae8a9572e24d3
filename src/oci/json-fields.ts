// Small validators for untrusted JSON. Each takes the JSON path it reads so a message can say
// exactly which field is wrong ("layers[2].size must be ..."), and the error code of the document.
import { OciFormatError, type OciFormatErrorCode } from './errors.js';

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** UTF-8 decode and JSON.parse, turning every failure into an OciFormatError of `code`. */
export function parseJsonBytes(bytes: Uint8Array, code: OciFormatErrorCode, what: string): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (cause) {
    throw new OciFormatError(code, `${what} is not valid UTF-8 text`, { cause });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    throw new OciFormatError(code, `${what} is not valid JSON${detail}`, { cause });
  }
}

export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

export class FieldReader {
  constructor(
    private readonly code: OciFormatErrorCode,
    private readonly what: string,
  ) {}

  fail(path: string, problem: string, cause?: unknown): never {
    const where = path === '' ? '' : `${path} `;
    throw new OciFormatError(this.code, `invalid ${this.what}: ${where}${problem}`, cause === undefined ? undefined : { cause });
  }

  object(value: unknown, path: string): JsonObject {
    if (!isJsonObject(value)) this.fail(path, `must be an object, got ${describeJson(value)}`);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, `must be a string, got ${describeJson(value)}`);
    return value;
  }

  /** Absent (undefined) stays absent; JSON null counts as absent too because Docker writes it. */
  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path);
  }

  optionalBoolean(value: unknown, path: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(path, `must be true or false, got ${describeJson(value)}`);
    return value;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, `must be an array, got ${describeJson(value)}`);
    return value;
  }

  stringArray(value: unknown, path: string): string[] {
    return this.array(value, path).map((item, i) => this.string(item, `${path}[${i}]`));
  }

  optionalStringArray(value: unknown, path: string): string[] | undefined {
    return value === undefined || value === null ? undefined : this.stringArray(value, path);
  }

  /** A map of string to string (annotations, labels). Object.fromEntries keeps "__proto__" a plain key. */
  stringMap(value: unknown, path: string): Record<string, string> {
    const object = this.object(value, path);
    return Object.fromEntries(
      Object.entries(object).map(([key, item]) => [key, this.string(item, `${path}[${JSON.stringify(key)}]`)]),
    );
  }

  optionalStringMap(value: unknown, path: string): Record<string, string> | undefined {
    return value === undefined || value === null ? undefined : this.stringMap(value, path);
  }

  nonNegativeSafeInteger(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      this.fail(path, `must be a non-negative integer, got ${describeJson(value)}`);
    }
    return value;
  }
}

/** Reads an own property only, so "constructor" or "__proto__" in a document never reaches Object.prototype. */
export function field(object: JsonObject, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}
