// A cluster someone else runs (kind, see scripts/dev-kind.sh), named by SLIMGUARD_E2E_KUBECONFIG:
// the suite then starts no control plane and drives that cluster with the same code. Only an
// explicit variable selects it, never $KUBECONFIG, so a developer's own cluster is never used by
// accident.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ControlPlaneError } from './errors.js';
import type { ProvidedControlPlane } from './provided-context.js';

type Json = Record<string, any>;

export function externalClusterContext(kubeconfigPath: string, tools: { helmPath: string; kubectlPath: string }): ProvidedControlPlane {
  let config: Json;
  try {
    config = parse(readFileSync(kubeconfigPath, 'utf8')) as Json;
  } catch (error) {
    throw new ControlPlaneError('CONTROL_PLANE_START_FAILED', `SLIMGUARD_E2E_KUBECONFIG=${kubeconfigPath} cannot be read as a kubeconfig`, { cause: error });
  }
  const contextName = config['current-context'];
  const context = (config.contexts as Json[] | undefined)?.find((c) => c.name === contextName)?.context;
  const cluster = (config.clusters as Json[] | undefined)?.find((c) => c.name === context?.cluster)?.cluster;
  const caData = cluster?.['certificate-authority-data'];
  if (!cluster?.server || typeof caData !== 'string') {
    throw new ControlPlaneError(
      'CONTROL_PLANE_START_FAILED',
      `SLIMGUARD_E2E_KUBECONFIG=${kubeconfigPath}: its current context needs a cluster with server and certificate-authority-data (kind writes both)`,
    );
  }
  return {
    kubeconfigPath,
    server: cluster.server as string,
    caPem: Buffer.from(caData, 'base64').toString('utf8'),
    kubernetesVersion: 'external',
    helmPath: tools.helmPath,
    kubectlPath: tools.kubectlPath,
    apiServerLogPath: '(external cluster)',
    etcdLogPath: '(external cluster)',
  };
}
