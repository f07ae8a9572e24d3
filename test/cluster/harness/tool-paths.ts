// Where scripts/build-control-plane.sh puts the control-plane binaries. Both sides read the
// versions from tool-versions.env, so the harness always looks in the directory the script fills.
import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlaneError } from './errors.js';

const HARNESS_DIR = dirname(fileURLToPath(import.meta.url));

/** The repository root (two levels above test/cluster/harness). */
export const REPO_ROOT = resolve(HARNESS_DIR, '..', '..', '..');
export const TOOL_VERSIONS_FILE = join(HARNESS_DIR, 'tool-versions.env');
export const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'build-control-plane.sh');

export interface ToolVersions {
  etcd: string;
  kubernetes: string;
  helm: string;
}

export interface ControlPlaneTools {
  /** `${SLIMGUARD_TOOLS_DIR:-$HOME/.cache/slimguard-tools}` */
  toolsDir: string;
  versions: ToolVersions;
  etcd: string;
  kubeApiserver: string;
  helm: string;
  /** Not built: the machine's kubectl (`$KUBECTL`, else `kubectl` from PATH). */
  kubectl: string;
}

/** Parses KEY=VALUE lines (comments and blank lines ignored), the subset of shell the script sources. */
export function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)=(\S*)\s*$/.exec(line);
    if (match) values[match[1]!] = match[2]!;
  }
  return values;
}

export function readToolVersions(path = TOOL_VERSIONS_FILE): ToolVersions {
  const values = parseEnvFile(readFileSync(path, 'utf8'));
  const pick = (key: string): string => {
    const value = values[key];
    if (!value) throw new ControlPlaneError('CONTROL_PLANE_TOOLS_MISSING', `${path} does not set ${key}`);
    return value;
  };
  return { etcd: pick('ETCD_VERSION'), kubernetes: pick('KUBE_VERSION'), helm: pick('HELM_VERSION') };
}

export function defaultToolsDir(): string {
  return process.env.SLIMGUARD_TOOLS_DIR || join(homedir(), '.cache', 'slimguard-tools');
}

export function resolveControlPlaneTools(options: { toolsDir?: string; versions?: ToolVersions } = {}): ControlPlaneTools {
  const toolsDir = options.toolsDir ?? defaultToolsDir();
  const versions = options.versions ?? readToolVersions();
  return {
    toolsDir,
    versions,
    etcd: join(toolsDir, `etcd-${versions.etcd}`, 'etcd'),
    kubeApiserver: join(toolsDir, `kube-apiserver-${versions.kubernetes}`, 'kube-apiserver'),
    helm: join(toolsDir, `helm-${versions.helm}`, 'helm'),
    kubectl: process.env.KUBECTL || 'kubectl',
  };
}

export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The built binaries (etcd, kube-apiserver, helm) that are not in the cache yet. */
export function missingTools(tools: ControlPlaneTools): string[] {
  return [tools.etcd, tools.kubeApiserver, tools.helm].filter((path) => !isExecutable(path));
}
