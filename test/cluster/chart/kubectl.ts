// kubectl against the cluster suite's API server, as the admin of its kubeconfig.
import { inject } from 'vitest';
import '../harness/provided-context.js';
import { runCommand, type CommandRun } from '../../harness/run-command.js';

export function kubectl(args: string[], input?: string): Promise<CommandRun> {
  const { kubectlPath, kubeconfigPath } = inject('controlPlane');
  return runCommand(kubectlPath, ['--kubeconfig', kubeconfigPath, ...args], { input });
}

/** kubectl that must succeed; throws with its stderr otherwise. */
export async function kubectlOk(args: string[], input?: string): Promise<string> {
  const run = await kubectl(args, input);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${run.code}): ${run.stderr}`);
  return run.stdout;
}
