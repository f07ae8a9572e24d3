// Starts etcd and kube-apiserver on loopback the way controller-runtime's envtest does
// (pkg/internal/testing/controlplane): a fresh etcd with fsync off, and an API server on a free
// secure port with client-certificate authentication, RBAC, a service-account issuer and keys,
// and the ServiceAccount admission plugin off (no controller-manager creates the `default`
// ServiceAccount). The admission webhooks (ValidatingAdmissionWebhook, MutatingAdmissionWebhook)
// are on by default and stay on: slimguard's end-to-end tests register a webhook with a
// `url: https://127.0.0.1:PORT/validate` client config, which needs no further flags.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { createCertificateAuthority, createServiceAccountKey, issueCertificate } from './certificates.js';
import { ControlPlaneError } from './errors.js';
import { freePort } from './free-port.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { logTail, startManagedProcess, type ManagedProcess } from './managed-process.js';
import { isExecutable, resolveControlPlaneTools } from './tool-paths.js';

export interface StartControlPlaneOptions {
  /** Certificates, etcd data, logs and the kubeconfig go here; the caller removes it. */
  workDir: string;
  /** A directory holding `etcd` and `kube-apiserver`; default the build script's cache. */
  binDir?: string;
  /** Until /readyz says ok; default 180 s (a cold start on 2 busy cores takes 10-30 s). */
  readyTimeoutMs?: number;
  /** Appended to the API server's flags (a later flag overrides an earlier one). */
  extraApiServerArgs?: string[];
}

export interface RunningControlPlane {
  /** `https://127.0.0.1:PORT` */
  server: string;
  /** An admin (system:masters) kubeconfig with embedded certificates. */
  kubeconfigPath: string;
  /** The CA of the API server's serving certificate and of client certificates. */
  caPem: string;
  caKeyPem: string;
  /** The admin client certificate: CN=slimguard-admin, O=system:masters. */
  clientCertPem: string;
  clientKeyPem: string;
  /** The service account token signing key (PKCS#1 PEM) and issuer. */
  serviceAccountSigningKeyPem: string;
  serviceAccountIssuer: string;
  /** `http://127.0.0.1:PORT` */
  etcdUrl: string;
  etcdLogPath: string;
  apiServerLogPath: string;
  /** Stops the API server, then etcd (SIGTERM, then SIGKILL). Idempotent. */
  stop(): Promise<void>;
}

const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
/** The first address of the range: the `kubernetes` Service's ClusterIP. */
const KUBERNETES_SERVICE_IP = '10.0.0.1';
const MAX_PORT_ATTEMPTS = 3;

/**
 * The environment of etcd and the API server: no proxy variables. Only loopback exists here, and
 * Go's proxy support would send webhook or etcd traffic to a proxy for any name it does not
 * recognise as local.
 */
function childEnvironment(): NodeJS.ProcessEnv {
  const proxy = /^(https?|all|no)_proxy$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !proxy.test(key)));
}

function writeSecret(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
}

function describeExit(process: ManagedProcess, exit: { code: number | null; signal: string | null; error?: Error }): string {
  if (exit.error) return `${process.name} could not be started: ${exit.error.message}`;
  return `${process.name} exited (${exit.signal ?? `code ${exit.code}`}) before it was ready`;
}

type Readiness = 'ready' | 'port-in-use';

/**
 * Polls `probe` until it is true; 'port-in-use' when the process died of a port taken between
 * our probe and its bind (the caller retries with new ports); throws on any other failure.
 */
async function waitUntilReady(process: ManagedProcess, probe: () => Promise<boolean>, timeoutMs: number): Promise<Readiness> {
  const deadline = Date.now() + timeoutMs;
  let exitInfo: Awaited<ManagedProcess['exited']> | undefined;
  void process.exited.then((exit) => (exitInfo = exit));
  while (Date.now() < deadline) {
    if (exitInfo !== undefined) {
      if (/address already in use/.test(logTail(process.logPath, 20))) return 'port-in-use';
      throw new ControlPlaneError('CONTROL_PLANE_START_FAILED', `${describeExit(process, exitInfo)}\n--- tail of ${process.logPath} ---\n${logTail(process.logPath)}`);
    }
    if (await probe().catch(() => false)) return 'ready';
    await sleep(200);
  }
  throw new ControlPlaneError(
    'CONTROL_PLANE_START_FAILED',
    `${process.name} was not ready within ${timeoutMs} ms\n--- tail of ${process.logPath} ---\n${logTail(process.logPath)}`,
  );
}

export async function startControlPlane(options: StartControlPlaneOptions): Promise<RunningControlPlane> {
  const binaries = options.binDir
    ? { etcd: join(options.binDir, 'etcd'), kubeApiserver: join(options.binDir, 'kube-apiserver') }
    : resolveControlPlaneTools();
  const missing = [binaries.etcd, binaries.kubeApiserver].filter((path) => !isExecutable(path));
  if (missing.length > 0) {
    throw new ControlPlaneError(
      'CONTROL_PLANE_TOOLS_MISSING',
      `control-plane binaries missing: ${missing.join(', ')}; build them with scripts/build-control-plane.sh`,
    );
  }
  const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
  const workDir = options.workDir;
  const certDir = join(workDir, 'pki');
  const etcdDataDir = join(workDir, 'etcd-data');
  mkdirSync(certDir, { recursive: true, mode: 0o700 });
  // Always a fresh store: state from an earlier run would leak into this one.
  rmSync(etcdDataDir, { recursive: true, force: true });
  const etcdLogPath = join(workDir, 'etcd.log');
  const apiServerLogPath = join(workDir, 'kube-apiserver.log');
  const kubeconfigPath = join(workDir, 'admin.kubeconfig');
  const env = childEnvironment();

  const started: ManagedProcess[] = [];
  const stop = async (): Promise<void> => {
    // The API server before etcd, so it does not spend its shutdown retrying a dead store.
    for (const process of [...started].reverse()) await process.stop();
  };

  try {
    // --- PKI ---
    const ca = createCertificateAuthority();
    const serving = issueCertificate(ca, {
      commonName: 'kube-apiserver',
      usage: 'server',
      dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
      ipAddresses: ['127.0.0.1', KUBERNETES_SERVICE_IP],
    });
    const admin = issueCertificate(ca, { commonName: 'slimguard-admin', organizations: ['system:masters'], usage: 'client' });
    const serviceAccountKey = createServiceAccountKey();
    const files = {
      ca: join(certDir, 'ca.crt'),
      servingCert: join(certDir, 'apiserver.crt'),
      servingKey: join(certDir, 'apiserver.key'),
      serviceAccountPublic: join(certDir, 'sa.pub'),
      serviceAccountPrivate: join(certDir, 'sa.key'),
    };
    writeFileSync(files.ca, ca.certPem);
    writeFileSync(files.servingCert, serving.certPem);
    writeSecret(files.servingKey, serving.keyPem);
    writeFileSync(files.serviceAccountPublic, serviceAccountKey.publicKeyPem);
    writeSecret(files.serviceAccountPrivate, serviceAccountKey.privateKeyPem);

    // --- etcd ---
    let etcdUrl = '';
    for (let attempt = 1; ; attempt++) {
      const [clientPort, peerPort] = [await freePort(), await freePort()];
      etcdUrl = `http://127.0.0.1:${clientPort}`;
      const peerUrl = `http://127.0.0.1:${peerPort}`;
      const etcd = startManagedProcess({
        name: 'etcd',
        command: binaries.etcd,
        args: [
          '--name=slimguard-test',
          `--data-dir=${etcdDataDir}`,
          `--listen-client-urls=${etcdUrl}`,
          `--advertise-client-urls=${etcdUrl}`,
          `--listen-peer-urls=${peerUrl}`,
          `--initial-advertise-peer-urls=${peerUrl}`,
          `--initial-cluster=slimguard-test=${peerUrl}`,
          // A throwaway store: durability is worth nothing here, speed is.
          '--unsafe-no-fsync=true',
          '--log-level=warn',
        ],
        logPath: etcdLogPath,
        env,
      });
      started.push(etcd);
      const health = `${etcdUrl}/health`;
      const outcome = await waitUntilReady(
        etcd,
        async () => {
          const response = await request(health, { headersTimeout: 1_000, bodyTimeout: 1_000 });
          const body = (await response.body.json()) as { health?: string };
          return response.statusCode === 200 && body.health === 'true';
        },
        readyTimeoutMs,
      );
      if (outcome === 'ready') break;
      started.pop();
      rmSync(etcdDataDir, { recursive: true, force: true });
      if (attempt >= MAX_PORT_ATTEMPTS) throw new ControlPlaneError('CONTROL_PLANE_START_FAILED', `etcd: ports kept being taken (${attempt} attempts)`);
    }

    // --- kube-apiserver ---
    let server = '';
    const agent = new Agent({ connect: { ca: ca.certPem, cert: admin.certPem, key: admin.keyPem } });
    try {
      for (let attempt = 1; ; attempt++) {
        const port = await freePort();
        server = `https://127.0.0.1:${port}`;
        const apiServer = startManagedProcess({
          name: 'kube-apiserver',
          command: binaries.kubeApiserver,
          args: [
            `--etcd-servers=${etcdUrl}`,
            `--secure-port=${port}`,
            '--bind-address=127.0.0.1',
            `--cert-dir=${certDir}`,
            `--tls-cert-file=${files.servingCert}`,
            `--tls-private-key-file=${files.servingKey}`,
            `--client-ca-file=${files.ca}`,
            `--service-account-issuer=${server}`,
            `--service-account-key-file=${files.serviceAccountPublic}`,
            `--service-account-signing-key-file=${files.serviceAccountPrivate}`,
            `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
            '--authorization-mode=RBAC',
            '--allow-privileged=true',
            // As envtest: no controller-manager creates the `default` ServiceAccount, so the
            // plugin would reject every Pod. The webhook admission plugins stay on (default).
            '--disable-admission-plugins=ServiceAccount',
            ...(options.extraApiServerArgs ?? []),
          ],
          logPath: apiServerLogPath,
          env,
        });
        started.push(apiServer);
        const outcome = await waitUntilReady(
          apiServer,
          async () => {
            const response = await request(`${server}/readyz`, { dispatcher: agent, headersTimeout: 2_000, bodyTimeout: 2_000 });
            const body = await response.body.text();
            return response.statusCode === 200 && body.trim() === 'ok';
          },
          readyTimeoutMs,
        );
        if (outcome === 'ready') break;
        started.pop();
        if (attempt >= MAX_PORT_ATTEMPTS) {
          throw new ControlPlaneError('CONTROL_PLANE_START_FAILED', `kube-apiserver: ports kept being taken (${attempt} attempts)`);
        }
      }
    } finally {
      await agent.close();
    }

    writeSecret(kubeconfigPath, kubeconfigYaml({ server, caPem: ca.certPem, clientCertPem: admin.certPem, clientKeyPem: admin.keyPem }));

    return {
      server,
      kubeconfigPath,
      caPem: ca.certPem,
      caKeyPem: ca.keyPem,
      clientCertPem: admin.certPem,
      clientKeyPem: admin.keyPem,
      serviceAccountSigningKeyPem: serviceAccountKey.privateKeyPem,
      serviceAccountIssuer: server,
      etcdUrl,
      etcdLogPath,
      apiServerLogPath,
      stop,
    };
  } catch (error) {
    await stop();
    if (error instanceof ControlPlaneError) throw error;
    throw new ControlPlaneError('CONTROL_PLANE_START_FAILED', `control plane did not start: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
