// vitest globalSetup: starts the token server and three real registries (anonymous, basic,
// token) sharing one storage directory, once for the whole run, and provides their addresses
// to the tests (`inject('registries')`). Teardown stops them and removes the temp directory
// (set SLIMGUARD_KEEP_HARNESS=1 to keep it, logs included, for debugging).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided-context.js';
import { startRegistry, type RunningRegistry } from './registry.js';
import { TEST_CREDENTIALS } from './test-credentials.js';
import { startTokenServer, type RunningTokenServer } from './token-server.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = mkdtempSync(join(tmpdir(), 'slimguard-harness-'));
  const storageDir = join(root, 'storage');
  const running: { stop(): Promise<void> }[] = [];

  async function teardown(): Promise<void> {
    // Stop in reverse order, and all of them even when one fails.
    await Promise.allSettled(running.reverse().map((component) => component.stop()));
    if (process.env.SLIMGUARD_KEEP_HARNESS !== '1') rmSync(root, { recursive: true, force: true });
  }

  try {
    const tokenServer: RunningTokenServer = await startTokenServer({ workDir: join(root, 'token-server') });
    running.push(tokenServer);
    // allSettled, not all: a failure must wait for the other starts, so teardown stops them too.
    const started = await Promise.allSettled([
      startRegistry({ auth: 'none', name: 'anonymous', storageDir, workDir: join(root, 'anonymous') }),
      startRegistry({ auth: 'basic', name: 'basic', storageDir, workDir: join(root, 'basic'), credentials: TEST_CREDENTIALS }),
      startRegistry({ auth: 'token', name: 'token', storageDir, workDir: join(root, 'token'), token: tokenServer.registryAuth }),
    ]);
    for (const outcome of started) if (outcome.status === 'fulfilled') running.push(outcome.value);
    const failed = started.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
    const [anonymous, basic, token] = running.slice(1) as [RunningRegistry, RunningRegistry, RunningRegistry];

    const address = (registry: RunningRegistry) => ({
      host: registry.host,
      url: registry.url,
      accessLogPath: registry.accessLogPath,
      logPath: registry.logPath,
    });
    project.provide('registries', {
      anonymous: address(anonymous),
      basic: { ...address(basic), ...TEST_CREDENTIALS },
      token: {
        ...address(token),
        ...TEST_CREDENTIALS,
        tokenServerUrl: tokenServer.url,
        realm: tokenServer.realm,
        service: tokenServer.service,
        tokenLogPath: tokenServer.logPath,
      },
    });
    project.provide('storageDir', storageDir);
  } catch (error) {
    // A failed start must not leave the others running; the error carries the registry log tail.
    await teardown();
    throw error;
  }
  return teardown;
}
