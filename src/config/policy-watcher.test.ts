import { mkdtemp, rename, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPolicyWatcher, type PolicyReloadEvent } from './policy-watcher.js';

const policyYaml = (name: string, mode = 'warn') => `apiVersion: slimguard.io/v1alpha1
kind: ImagePolicy
metadata: {name: ${name}}
spec:
  mode: ${mode}
`;

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('policy watcher', () => {
  it('reloads a changed file and keeps the old policy when the new one is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slimguard-policy-'));
    dirs.push(dir);
    const path = join(dir, 'policy.yaml');
    await writeFile(path, policyYaml('first'));
    const events: PolicyReloadEvent[] = [];
    const watcher = await createPolicyWatcher({ path, debounceMs: 20, onReload: (e) => events.push(e) });
    expect(watcher.current().name).toBe('first');

    await writeFile(path, policyYaml('second', 'enforce'));
    await until(() => events.length >= 1);
    expect(events[0]).toMatchObject({ ok: true });
    expect(watcher.current()).toMatchObject({ name: 'second', mode: 'enforce' });

    await writeFile(path, policyYaml('third').replace('mode:', 'mdoe:'));
    await until(() => events.length >= 2);
    expect(events[1]!.ok).toBe(false);
    expect(String(events[1]!.error)).toMatch(/mdoe/);
    expect(watcher.current().name).toBe('second');
    watcher.close();
  });

  it('follows a ConfigMap-style atomic symlink swap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slimguard-configmap-'));
    dirs.push(dir);
    // kubelet layout: policy.yaml -> ..data/policy.yaml, ..data -> ..2026_v1; an update swaps ..data.
    await mkdir(join(dir, '..v1'));
    await writeFile(join(dir, '..v1', 'policy.yaml'), policyYaml('v1'));
    await symlink('..v1', join(dir, '..data'));
    await symlink('..data/policy.yaml', join(dir, 'policy.yaml'));
    const events: PolicyReloadEvent[] = [];
    const watcher = await createPolicyWatcher({ path: join(dir, 'policy.yaml'), debounceMs: 20, onReload: (e) => events.push(e) });

    await mkdir(join(dir, '..v2'));
    await writeFile(join(dir, '..v2', 'policy.yaml'), policyYaml('v2'));
    await symlink('..v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await until(() => watcher.current().name === 'v2');
    expect(events.filter((e) => e.ok)).toHaveLength(1);
    watcher.close();
  });
});
