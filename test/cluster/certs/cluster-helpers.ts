// Helpers of the certificate bootstrap tests: kubectl against the suite's API server, polling with
// a deadline, captured logs, and a free loopback port.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import '../harness/provided-context.js';

const execFileAsync = promisify(execFile);
export const controlPlane = inject('controlPlane');

export const uniqueName = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

/** kubectl with the admin kubeconfig (or another); rejects with kubectl's stderr in the message. */
export async function kubectl(args: string[], options: { input?: string; kubeconfig?: string } = {}): Promise<string> {
  const child = execFileAsync(controlPlane.kubectlPath, ['--kubeconfig', options.kubeconfig ?? controlPlane.kubeconfigPath, ...args], { encoding: 'utf8' });
  child.child.stdin?.end(options.input);
  try {
    return (await child).stdout;
  } catch (error) {
    throw new Error(`kubectl ${args.join(' ')}: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`, { cause: error });
  }
}

export const kubectlJson = async <T = any>(args: string[]): Promise<T> => JSON.parse(await kubectl([...args, '-o', 'json'])) as T;

/** Polls `probe` every 100 ms until it returns a value other than undefined; fails after timeoutMs. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
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

/** A loopback port that was free a moment ago (for a webhook URL that must be known before the server starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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
