import { ECOSYSTEMS, type BuildBaseSignature, type Ecosystem } from './types.js';

export interface CompiledSignature {
  signature: BuildBaseSignature;
  env: RegExp[];
  history: RegExp[];
}

/**
 * What is wrong with a user-defined signature, in words (empty when it is usable). src/config can
 * call this to reject a policy file early; detection skips any signature with problems, so a bad
 * one never throws at admission time.
 */
export function signatureProblems(value: unknown): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['must be an object'];
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof record.name !== 'string' || record.name.trim() === '') problems.push('name must be a non-empty string');
  if (typeof record.ecosystem !== 'string' || !(ECOSYSTEMS as readonly string[]).includes(record.ecosystem)) {
    problems.push(`ecosystem must be one of ${ECOSYSTEMS.join(', ')}`);
  }
  let patterns = 0;
  for (const key of ['env', 'history'] as const) {
    const list = record[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) {
      problems.push(`${key} must be a list of regular expressions`);
      continue;
    }
    for (const source of list as string[]) {
      patterns += 1;
      try {
        new RegExp(source);
      } catch (error) {
        problems.push(`${key} pattern ${JSON.stringify(source)} is not a regular expression: ${(error as Error).message}`);
      }
    }
  }
  if (patterns === 0) problems.push('needs at least one env or history pattern');
  if (record.remediation !== undefined && typeof record.remediation !== 'string') problems.push('remediation must be a string');
  return problems;
}

/** Compiles the usable signatures; the others come back by name with their problems. */
export function compileSignatures(values: readonly unknown[]): { compiled: CompiledSignature[]; rejected: { name: string; problems: string[] }[] } {
  const compiled: CompiledSignature[] = [];
  const rejected: { name: string; problems: string[] }[] = [];
  for (const value of values) {
    const problems = signatureProblems(value);
    if (problems.length > 0) {
      const name = typeof (value as { name?: unknown } | null)?.name === 'string' ? (value as { name: string }).name : '(unnamed)';
      rejected.push({ name, problems });
      continue;
    }
    const signature = value as BuildBaseSignature;
    compiled.push({
      signature: { ...signature, ecosystem: signature.ecosystem as Ecosystem },
      env: (signature.env ?? []).map((source) => new RegExp(source)),
      history: (signature.history ?? []).map((source) => new RegExp(source)),
    });
  }
  return { compiled, rejected };
}
