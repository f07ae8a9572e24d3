import { randomUUID } from 'node:crypto';
import { accessLogSize, readAccessLog, waitForLogQuiet, type AccessLogEntry } from '../harness/access-log.js';
import type { Built } from '../harness/oci-image-builder.js';
import type { HarnessRegistry } from '../harness/provided-context.js';
import { pushImage } from '../harness/push.js';

/** A repository name no other test uses, so access-log counts are this test's alone. */
export function uniqueRepository(prefix: string): string {
  return `test/${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Pushes through the anonymous registry (storage is shared, so every registry sees it). */
export async function pushTo(anonymous: HarnessRegistry, repository: string, tag: string | undefined, built: Built) {
  return pushImage(anonymous, repository, tag, built);
}

/**
 * Counts the requests a registry logged for one repository while `work` ran. The token
 * server and the challenge round-trip are on other logs/paths; this is the registry's view.
 */
export async function countRequests<T>(
  registry: HarnessRegistry,
  repository: string,
  work: () => Promise<T>,
): Promise<{ result: T; requests: AccessLogEntry[] }> {
  await waitForLogQuiet(registry.accessLogPath, { quietMs: 50 });
  const since = accessLogSize(registry.accessLogPath);
  const result = await work();
  await waitForLogQuiet(registry.accessLogPath, { quietMs: 100 });
  return { result, requests: readAccessLog(registry.accessLogPath, { since, repository }) };
}
