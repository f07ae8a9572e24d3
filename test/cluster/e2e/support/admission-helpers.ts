// What the scenarios do over and over: wait until the API server calls the webhook after a
// configuration change, and read the names the chart gave its webhooks.
import type { CommandRun } from '../../../harness/run-command.js';
import { eventually } from '../../harness/eventually.js';
import type { Kubectl } from '../../harness/kubectl.js';
import { RELEASE } from './slimguard-release.js';

/** `kubectl run NAME --image=IMAGE --restart=Never` in a namespace, with more flags. */
export function kubectlRun(kubectl: Kubectl, namespace: string, name: string, image: string, extra: string[] = []): Promise<CommandRun> {
  return kubectl.run(['-n', namespace, 'run', name, `--image=${image}`, '--restart=Never', ...extra]);
}

/**
 * The API server picks up a webhook configuration (new, or changed by helm upgrade) a moment
 * after it is written: repeat a request until its answer shows `accept`.
 */
export function untilAnswer(attempt: () => Promise<CommandRun>, accept: (result: CommandRun) => boolean, what: string): Promise<CommandRun> {
  return eventually(attempt, accept, what, 30_000, 200);
}

export async function webhookNames(kubectl: Kubectl): Promise<string[]> {
  const configuration = await kubectl.getJson(['validatingwebhookconfiguration', RELEASE]);
  return (configuration.webhooks as { name: string }[]).map((webhook) => webhook.name);
}

/** `kubectl get` of one object: true when it exists. */
export async function exists(kubectl: Kubectl, namespace: string, kindAndName: string): Promise<boolean> {
  const result = await kubectl.run(['-n', namespace, 'get', kindAndName, '-o', 'name']);
  if (result.code === 0) return true;
  if (/NotFound|not found/.test(result.stderr)) return false;
  throw new Error(`kubectl get ${kindAndName} -n ${namespace}: ${result.stderr}`);
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
