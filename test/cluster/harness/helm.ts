// The built helm against one kubeconfig, with its cache/config/data homes in a directory of the
// test's own so a run never reads or writes the user's ~/.cache/helm or repositories.
import { join } from 'node:path';
import { runCommand, type CommandRun } from '../../harness/run-command.js';
import { runCommandOk } from './command-ok.js';

export interface Helm {
  run(args: string[]): Promise<CommandRun>;
  ok(args: string[]): Promise<string>;
}

export function helmEnvironment(homeDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    HELM_CACHE_HOME: join(homeDir, 'helm-cache'),
    HELM_CONFIG_HOME: join(homeDir, 'helm-config'),
    HELM_DATA_HOME: join(homeDir, 'helm-data'),
  };
}

export function createHelm(options: { helmPath: string; kubeconfigPath: string; homeDir: string }): Helm {
  const env = helmEnvironment(options.homeDir);
  const full = (args: string[]) => [...args, '--kubeconfig', options.kubeconfigPath];
  return {
    run: (args) => runCommand(options.helmPath, full(args), { env }),
    ok: (args) => runCommandOk(options.helmPath, full(args), { env }),
  };
}
