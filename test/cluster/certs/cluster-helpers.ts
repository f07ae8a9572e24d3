// Helpers of the certificate bootstrap tests: kubectl against the suite's API server, polling with
// a deadline, captured logs, a free loopback port, and the serve options both files start from.
// kubectl, polling and ports are the cluster harness's own (test/cluster/harness/).
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import type { ServeOptions } from '../../../src/cli/serve-command.js';
import '../harness/provided-context.js';
import { eventually } from '../harness/eventually.js';
import { createKubectl } from '../harness/kubectl.js';

export { freePort } from '../harness/free-port.js';
export const controlPlane = inject('controlPlane');

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** kubectl with the admin kubeconfig (or another); rejects with kubectl's stderr in the message. */
export function kubectl(args: string[], options: { input?: string; kubeconfig?: string } = {}): Promise<string> {
  return createKubectl({ kubectlPath: controlPlane.kubectlPath, kubeconfigPath: options.kubeconfig ?? controlPlane.kubeconfigPath }).ok(args, options.input);
}

export const kubectlJson = async <T = any>(args: string[]): Promise<T> => JSON.parse(await kubectl([...args, '-o', 'json'])) as T;

/** Polls `probe` every 100 ms until it returns a value other than undefined; fails after timeoutMs. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  return (await eventually(probe, (value) => value !== undefined, what, timeoutMs, 100)) as T;
}

export interface CapturedLog {
  logger: Logger;
  /** Every line as written (JSON text), to check that no key material was logged. */
  raw: string[];
  messages(): string[];
}

export function captureLog(): CapturedLog {
  const raw: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void raw.push(line) });
  return { logger, raw, messages: () => raw.map((line) => (JSON.parse(line) as { msg: string }).msg) };
}

/** `slimguard serve` in bootstrap mode against the suite's API server, on loopback, quiet and quick to stop. */
export function bootstrapServeOptions(certBootstrap: NonNullable<ServeOptions['certBootstrap']>, more: Partial<ServeOptions> = {}): ServeOptions {
  return {
    listen: { host: '127.0.0.1', port: 0 },
    metricsListen: { host: '127.0.0.1', port: 0 },
    insecureRegistry: [],
    allowPrivateNetworks: false,
    kubeconfig: controlPlane.kubeconfigPath,
    excludeNamespaces: [],
    excludeUsernames: [],
    pullSecrets: false,
    logLevel: 'silent',
    shutdownGraceMs: 1000,
    shutdownDelayMs: 0,
    version: 'test',
    certBootstrap,
    ...more,
  };
}

/** A ValidatingWebhookConfiguration calling `url` for pods in namespaces labelled `slimguard-certs=<selector>`. */
export function webhookConfiguration(name: string, url: string, selector: string, webhookNames = ['images.slimguard.io']) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name },
    webhooks: webhookNames.map((webhook) => ({
      name: webhook,
      clientConfig: { url },
      rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
      namespaceSelector: { matchLabels: { 'slimguard-certs': selector } },
      failurePolicy: 'Fail',
      sideEffects: 'None',
      admissionReviewVersions: ['v1'],
      timeoutSeconds: 10,
    })),
  };
}
