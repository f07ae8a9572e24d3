import { readFile, stat } from 'node:fs/promises';
import type { Policy } from '../policy/policy.js';
import { defaultPolicy } from './default-policy.js';
import { PolicyError } from './errors.js';
import { parsePolicy } from './parse-policy.js';

/** A policy is a few kilobytes; anything far larger is a wrong path, not a policy. */
export const MAX_POLICY_FILE_BYTES = 1024 * 1024;

/** Reads, parses and validates a policy file. Throws PolicyError (POLICY_READ, POLICY_SYNTAX, POLICY_INVALID). */
export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new PolicyError('POLICY_READ', path, [{ path: '', message: 'not a regular file' }]);
    if (info.size > MAX_POLICY_FILE_BYTES) {
      throw new PolicyError('POLICY_READ', path, [{ path: '', message: `file is ${info.size} bytes, more than the ${MAX_POLICY_FILE_BYTES} a policy may be` }]);
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof PolicyError) throw error;
    throw new PolicyError('POLICY_READ', path, [{ path: '', message: readFailure(error) }], { cause: error });
  }
  return parsePolicy(text, path);
}

/** The policy file when a path is given, else the embedded default policy. */
export async function loadPolicy(path?: string): Promise<Policy> {
  return path === undefined ? defaultPolicy : loadPolicyFile(path);
}

function readFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}
