import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { KubeError } from './errors.js';
import { createKubeContext } from './kube-context.js';

const dir = mkdtempSync(join(tmpdir(), 'slimguard-kube-context-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logCapture() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('createKubeContext without a cluster', () => {
  // The environment is given to the context, never changed globally: KUBECONFIG names a file that
  // does not exist, KUBERNETES_SERVICE_HOST is absent and HOME has no .kube/config.
  const options = (logger: pino.Logger) => ({
    logger,
    pullSecrets: true,
    env: { KUBECONFIG: join(dir, 'does-not-exist.yaml'), HOME: dir },
    serviceAccountDir: join(dir, 'no-service-account'),
  });

  it('is disabled, says why in one log line, and answers defaults', async () => {
    const { logger, lines } = logCapture();
    const kube = await createKubeContext(options(logger));
    expect(kube.enabled).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toMatch(/^kube features off: KUBECONFIG names no existing file .*does-not-exist\.yaml.*not in a pod/);
    expect(kube.source).toMatch(/^off: /);
    expect(kube.namespaceLabels('default')).toBeUndefined();
    expect(kube.nodePlatforms()).toEqual([]);
    expect(kube.keychainFor({ namespace: 'default', serviceAccountName: 'default', imagePullSecrets: ['creds'] })).toEqual({
      usedSecrets: [],
      missingSecrets: [],
      invalidSecrets: [],
    });
    expect(kube.synced()).toBe(true);
    expect(await kube.waitForSync(10)).toBe(true);
    await kube.stop();
  });

  it('refuses to patch a webhook configuration', async () => {
    const kube = await createKubeContext(options(logCapture().logger));
    const error = await kube.patchWebhookCaBundle({ name: 'slimguard', caBundlePem: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeError);
    expect((error as KubeError).code).toBe('KUBE_DISABLED');
  });

  it('fails, rather than switching off, when an explicit kubeconfig is missing', async () => {
    const error = await createKubeContext({ ...options(logCapture().logger), kubeconfigPath: join(dir, 'named.yaml') }).catch((e: unknown) => e);
    expect((error as KubeError).code).toBe('KUBECONFIG_NOT_FOUND');
  });
});
