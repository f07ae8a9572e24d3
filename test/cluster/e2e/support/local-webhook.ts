// Runs the chart's webhook container as a local process: the BUILT binary (dist/cli/main.js under
// this Node, as the image runs it) with the flags the release rendered, adjusted only where a
// pod and this machine must differ (see local-serve-command.ts). It authenticates to the API
// server with a token of the chart's own ServiceAccount, so the chart's RBAC is what it gets.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { CLI } from '../../../cli/run-cli.js';
import { DEPLOYED_NODE_FLAGS } from '../../../harness/serve-process.js';
import { eventually } from '../../harness/eventually.js';
import type { Kubectl } from '../../harness/kubectl.js';
import { kubeconfigYaml } from '../../harness/kubeconfig.js';
import { logTail, startManagedProcess, type ManagedProcess } from '../../harness/managed-process.js';
import { localServeArgs, localServeEnv } from './local-serve-command.js';

type Json = Record<string, any>;

export interface StartLocalWebhookOptions {
  kubectl: Kubectl;
  /** Where the API server can reach the webhook (the host of webhook.url). */
  host: string;
  port: number;
  metricsPort: number;
  namespace: string;
  deploymentName: string;
  /** The API server as the process should see it, and its CA. */
  server: string;
  serverCaPem: string;
  workDir: string;
  /** PEM of the CA that signs the webhook's serving certificate, once known; for the readiness probe. */
  trustedCa: () => Promise<string>;
}

export interface LocalWebhook {
  pid: number | undefined;
  args: string[];
  env: Record<string, string>;
  logPath: string;
  isRunning(): boolean;
  metricsText(): Promise<string>;
  /** The process's JSON log lines so far. */
  logLines(): Json[];
  stop(): Promise<void>;
}

const ENV_NOT_INHERITED = /^(KUBERNETES_SERVICE_HOST|KUBERNETES_SERVICE_PORT|KUBECONFIG|POD_NAMESPACE|(https?|all|no)_proxy)$/i;

async function materialiseVolume(kubectl: Kubectl, namespace: string, volume: Json, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const source = volume.configMap ?? volume.secret;
  if (source === undefined) return; // emptyDir and friends start empty, as in a pod
  const kind = volume.configMap ? 'configmap' : 'secret';
  const name: string = volume.configMap ? source.name : source.secretName;
  const found = await kubectl.run(['-n', namespace, 'get', kind, name, '-o', 'json']);
  if (found.code !== 0) {
    if (source.optional) return;
    throw new Error(`volume ${volume.name}: ${kind} ${namespace}/${name} cannot be read: ${found.stderr.trim()}`);
  }
  const object = JSON.parse(found.stdout) as Json;
  const data: Record<string, Buffer> = {};
  for (const [key, value] of Object.entries((object.data ?? {}) as Record<string, string>)) {
    data[key] = kind === 'secret' ? Buffer.from(value, 'base64') : Buffer.from(value, 'utf8');
  }
  const items: { key: string; path: string }[] = source.items ?? Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of items) {
    if (data[item.key] === undefined) continue;
    mkdirSync(join(dir, item.path, '..'), { recursive: true });
    writeFileSync(join(dir, item.path), data[item.key]!, { mode: 0o600 });
  }
}

export async function startLocalWebhook(options: StartLocalWebhookOptions): Promise<LocalWebhook> {
  const { kubectl, namespace } = options;
  const deployment = await kubectl.getJson(['-n', namespace, 'deployment', options.deploymentName]);
  const podSpec = deployment.spec.template.spec as Json;
  const container = (podSpec.containers as Json[])[0]!;
  const serviceAccountName: string = podSpec.serviceAccountName ?? 'default';

  const mounts: Record<string, string> = {};
  for (const mount of (container.volumeMounts ?? []) as Json[]) {
    const volume = (podSpec.volumes as Json[]).find((v) => v.name === mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} has no volume in deployment ${namespace}/${options.deploymentName}`);
    const dir = join(options.workDir, 'mounts', mount.name);
    await materialiseVolume(kubectl, namespace, volume, dir);
    mounts[mount.mountPath] = mount.subPath ? join(dir, mount.subPath) : dir;
  }

  // What kubelet would mount as the service account token, as a kubeconfig.
  const token = (await kubectl.ok(['-n', namespace, 'create', 'token', serviceAccountName, '--duration=2h'])).trim();
  const kubeconfig = join(options.workDir, 'serviceaccount.kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml({ server: options.server, caPem: options.serverCaPem, token, namespace, name: serviceAccountName }), { mode: 0o600 });
  const dockerConfig = join(options.workDir, 'no-docker-config');
  mkdirSync(dockerConfig, { recursive: true });

  const args = localServeArgs(container, {
    mounts,
    listen: `${options.host}:${options.port}`,
    metricsListen: `127.0.0.1:${options.metricsPort}`,
    kubeconfig,
  });
  const env = localServeEnv(container, { namespace, name: `${options.deploymentName}-local`, serviceAccountName });
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !ENV_NOT_INHERITED.test(key)));
  const logPath = join(options.workDir, `webhook-${Date.now()}.log`);
  const child: ManagedProcess = startManagedProcess({
    name: 'slimguard serve',
    command: process.execPath,
    // The node flags of the image's ENTRYPOINT: the chart gives only args (test/chart/deployment.test.ts).
    args: [...DEPLOYED_NODE_FLAGS, CLI, ...args],
    logPath,
    // No registry credentials of this machine's user: only what the chart gives it.
    env: { ...inherited, DOCKER_CONFIG: dockerConfig, ...env },
  });

  const logLines = (): Json[] =>
    existsSync(logPath)
      ? readFileSync(logPath, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as Json)
      : [];
  const webhook: LocalWebhook = {
    pid: child.pid,
    args,
    env,
    logPath,
    isRunning: () => child.isRunning(),
    metricsText: async () => (await fetch(`http://127.0.0.1:${options.metricsPort}/metrics`)).text(),
    logLines,
    stop: () => child.stop(),
  };

  try {
    // Ready as the kubelet's readiness probe would see it: /readyz 200 over TLS the CA vouches for.
    const ca = await options.trustedCa();
    const dispatcher = new Agent({ connect: { ca } });
    await eventually(
      async () => {
        if (!child.isRunning()) throw new Error(`slimguard serve exited: ${JSON.stringify(await child.exited)}\n${logTail(logPath)}`);
        try {
          const response = await request(`https://${options.host}:${options.port}/readyz`, { dispatcher });
          await response.body.dump();
          return response.statusCode;
        } catch {
          return 0;
        }
      },
      (status) => status === 200,
      `slimguard serve to be ready on ${options.host}:${options.port} (log ${logPath})`,
      60_000,
      100,
    );
    await dispatcher.close();
  } catch (error) {
    await child.stop();
    throw Object.assign(new Error(`${(error as Error).message}\n${logTail(logPath)}`), { cause: error });
  }
  return webhook;
}
