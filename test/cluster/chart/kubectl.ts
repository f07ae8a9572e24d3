// kubectl against the cluster suite's API server, as the admin of its kubeconfig (the harness's
// kubectl, test/cluster/harness/kubectl.ts).
import { inject } from 'vitest';
import '../harness/provided-context.js';
import type { CommandRun } from '../../harness/run-command.js';
import { createKubectl } from '../harness/kubectl.js';

const admin = () => {
  const { kubectlPath, kubeconfigPath } = inject('controlPlane');
  return createKubectl({ kubectlPath, kubeconfigPath });
};

export function kubectl(args: string[], input?: string): Promise<CommandRun> {
  return admin().run(args, input);
}

/** kubectl that must succeed; throws with its stderr otherwise. */
export function kubectlOk(args: string[], input?: string): Promise<string> {
  return admin().ok(args, input);
}
