import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPolicy } from './default-policy.js';
import { PolicyError } from './errors.js';
import { loadPolicy, loadPolicyFile, MAX_POLICY_FILE_BYTES } from './load-policy.js';

let directory = '';
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'slimguard-policy-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<PolicyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
  throw new Error('expected a PolicyError');
}

describe('loadPolicyFile', () => {
  it('reads and validates a file', async () => {
    const path = join(directory, 'policy.yaml');
    await writeFile(path, 'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: prod}\nspec: {mode: enforce}\n');
    const policy = await loadPolicyFile(path);
    expect(policy.name).toBe('prod');
    expect(policy.mode).toBe('enforce');
  });

  it('names the file in validation errors', async () => {
    const path = join(directory, 'typo.yaml');
    await writeFile(path, 'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: x}\nspec: {mdoe: enforce}\n');
    const error = await rejection(loadPolicyFile(path));
    expect(error.code).toBe('POLICY_INVALID');
    expect(error.file).toBe(path);
    expect(error.message).toContain(`${path}:4:8: spec.mdoe: unknown key; did you mean mode?`);
  });

  it.each([
    ['a missing file', 'missing.yaml', 'no such file'],
    ['a directory', 'adir', 'not a regular file'],
  ])('reports %s as POLICY_READ', async (_name, file, message) => {
    await mkdir(join(directory, 'adir'), { recursive: true });
    const error = await rejection(loadPolicyFile(join(directory, file)));
    expect(error.code).toBe('POLICY_READ');
    expect(error.issues[0]?.message).toBe(message);
  });

  it('refuses a file far larger than a policy', async () => {
    const path = join(directory, 'huge.yaml');
    await writeFile(path, `# ${'x'.repeat(MAX_POLICY_FILE_BYTES)}\n`);
    const error = await rejection(loadPolicyFile(path));
    expect(error.code).toBe('POLICY_READ');
    expect(error.issues[0]?.message).toMatch(/more than the 1048576 a policy may be/);
  });
});

describe('loadPolicy', () => {
  it('falls back to the embedded default policy', async () => {
    expect(await loadPolicy()).toBe(defaultPolicy);
  });
});
