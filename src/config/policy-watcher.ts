import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Policy } from '../policy/policy.js';
import { loadPolicyFile } from './load-policy.js';

export interface PolicyReloadEvent {
  ok: boolean;
  policy: Policy;
  /** Why the new file was refused (the old policy stays in force). */
  error?: unknown;
}

export interface PolicyWatcher {
  current(): Policy;
  /** Re-reads the file now; resolves true when a new valid policy is in force. */
  reload(): Promise<boolean>;
  close(): void;
}

/**
 * Keeps the policy file in force and reloads it when it changes. A ConfigMap mounted as a
 * volume is updated by an atomic swap of the `..data` symlink in its directory, so the
 * directory is watched, not the file. An invalid new file never replaces a valid one.
 */
export async function createPolicyWatcher(options: {
  path: string;
  onReload?: (event: PolicyReloadEvent) => void;
  debounceMs?: number;
}): Promise<PolicyWatcher> {
  let policy = await loadPolicyFile(options.path);
  let lastJson = JSON.stringify(policy);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  async function reload(): Promise<boolean> {
    try {
      const next = await loadPolicyFile(options.path);
      const json = JSON.stringify(next);
      // Editors and kubelet touch files without changing them: only a real change counts.
      if (json === lastJson) return false;
      policy = next;
      lastJson = json;
      options.onReload?.({ ok: true, policy });
      return true;
    } catch (error) {
      options.onReload?.({ ok: false, policy, error });
      return false;
    }
  }

  let watcher: FSWatcher | undefined = watch(dirname(options.path), { persistent: false }, () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(() => void reload(), options.debounceMs ?? 200);
  });
  watcher.on('error', () => {
    // The directory went away (volume unmounted): keep the policy in force.
    watcher?.close();
    watcher = undefined;
  });

  return {
    current: () => policy,
    reload,
    close() {
      closed = true;
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
