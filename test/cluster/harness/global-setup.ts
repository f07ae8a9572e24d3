// vitest globalSetup of the cluster suite (`npm run test:cluster`): makes sure the control-plane
// binaries are built, starts etcd + kube-apiserver once for the whole run, and provides their
// address and an admin kubeconfig to the tests (`inject('controlPlane')`). Teardown stops both
// and removes the temp directory (SLIMGUARD_KEEP_HARNESS=1 keeps it, logs included).
//
// Missing binaries are built by scripts/build-control-plane.sh (the first time: tens of minutes
// on 2 cores); SLIMGUARD_NO_TOOL_BUILD=1 makes a missing binary an error instead.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startControlPlane } from './control-plane.js';
import { ControlPlaneError } from './errors.js';
import { externalClusterContext } from './external-cluster.js';
import './provided-context.js';
import { BUILD_SCRIPT, missingTools, resolveControlPlaneTools } from './tool-paths.js';

function ensureToolsBuilt(): void {
  const missing = missingTools(resolveControlPlaneTools());
  if (missing.length === 0) return;
  if (process.env.SLIMGUARD_NO_TOOL_BUILD === '1') {
    throw new ControlPlaneError(
      'CONTROL_PLANE_TOOLS_MISSING',
      `control-plane binaries missing: ${missing.join(', ')}. Build them once with: ${BUILD_SCRIPT}`,
    );
  }
  process.stderr.write(`cluster suite: building missing control-plane binaries with ${BUILD_SCRIPT} (slow the first time)\n`);
  const result = spawnSync(BUILD_SCRIPT, [], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    throw new ControlPlaneError(
      'CONTROL_PLANE_START_FAILED',
      `${BUILD_SCRIPT} failed (${result.error?.message ?? `exit ${result.status ?? result.signal}`}); its output is above`,
      { cause: result.error },
    );
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | void> {
  const external = process.env.SLIMGUARD_E2E_KUBECONFIG;
  if (external) {
    // kind or another real cluster (scripts/dev-kind.sh): nothing to build or start.
    project.provide('controlPlane', externalClusterContext(external, { helmPath: process.env.HELM || 'helm', kubectlPath: process.env.KUBECTL || 'kubectl' }));
    return;
  }
  ensureToolsBuilt();
  const tools = resolveControlPlaneTools();
  const workDir = mkdtempSync(join(tmpdir(), 'slimguard-cluster-'));
  const removeWorkDir = (): void => {
    if (process.env.SLIMGUARD_KEEP_HARNESS !== '1') rmSync(workDir, { recursive: true, force: true });
  };
  let controlPlane;
  try {
    controlPlane = await startControlPlane({ workDir });
  } catch (error) {
    // startControlPlane has stopped whatever it started; keep the logs only when asked to.
    removeWorkDir();
    throw error;
  }
  project.provide('controlPlane', {
    kubeconfigPath: controlPlane.kubeconfigPath,
    server: controlPlane.server,
    caPem: controlPlane.caPem,
    kubernetesVersion: tools.versions.kubernetes,
    helmPath: tools.helm,
    kubectlPath: tools.kubectl,
    apiServerLogPath: controlPlane.apiServerLogPath,
    etcdLogPath: controlPlane.etcdLogPath,
  });
  const running = controlPlane;
  return async () => {
    await running.stop();
    removeWorkDir();
  };
}
