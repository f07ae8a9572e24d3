// kubectl against one kubeconfig, as the cluster tests drive it: `run` keeps a failure's output
// for assertions (what a user sees when a request is denied), `ok` throws on failure.
import { runCommand, type CommandRun } from '../../harness/run-command.js';
import { runCommandOk } from './command-ok.js';

export interface Kubectl {
  kubeconfigPath: string;
  run(args: string[], input?: string): Promise<CommandRun>;
  ok(args: string[], input?: string): Promise<string>;
  /** `kubectl apply -f -` of objects given as JS values. */
  apply(...objects: object[]): Promise<string>;
  /** `kubectl get ... -o json`, parsed. */
  getJson<T = Record<string, any>>(args: string[]): Promise<T>;
}

export function createKubectl(options: { kubectlPath: string; kubeconfigPath: string }): Kubectl {
  const full = (args: string[]) => ['--kubeconfig', options.kubeconfigPath, ...args];
  const ok = (args: string[], input?: string) => runCommandOk(options.kubectlPath, full(args), { input });
  return {
    kubeconfigPath: options.kubeconfigPath,
    run: (args, input) => runCommand(options.kubectlPath, full(args), { input }),
    ok,
    apply: (...objects) => ok(['apply', '-f', '-'], objects.map((object) => JSON.stringify(object)).join('\n')),
    getJson: async <T>(args: string[]) => JSON.parse(await ok(['get', ...args, '-o', 'json'])) as T,
  };
}
