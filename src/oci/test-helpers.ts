// Shared by the oci module's tests only.
import { OciFormatError } from './errors.js';

/** JSON (or a raw string) as the bytes a registry would send. */
export function bytes(value: unknown): Uint8Array {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
}

/** The OciFormatError `run` throws; fails the test when it throws nothing or something else. */
export function errorOf(run: () => unknown): OciFormatError {
  try {
    run();
  } catch (error) {
    if (error instanceof OciFormatError) return error;
    throw new Error(`expected OciFormatError, got ${String(error)}`);
  }
  throw new Error('expected an error, got none');
}
