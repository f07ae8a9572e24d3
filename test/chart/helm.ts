// Runs the real helm (built by scripts/build-control-plane.sh, found through the cluster harness's
// tool-paths module) on charts/slimguard. A missing helm is an error with the command that builds
// it, never a skipped test: `.ci/run` builds the tools before `npm test`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCommand, type CommandRun } from '../harness/run-command.js';
import { isExecutable, REPO_ROOT, resolveControlPlaneTools } from '../cluster/harness/tool-paths.js';

export const CHART_DIR = join(REPO_ROOT, 'charts', 'slimguard');
export const RELEASE = 'slimguard';
export const NAMESPACE = 'slimguard';

export function helmPath(): string {
  const { helm } = resolveControlPlaneTools();
  if (!isExecutable(helm)) {
    throw new Error(`helm is missing at ${helm}: the chart tests run the real helm. Build it with \`npm run tools:control-plane\` (.ci/run does, before npm test)`);
  }
  return helm;
}

// helm keeps caches and repository config under $HOME; the tests give it a directory of their own.
const helmHome = mkdtempSync(join(tmpdir(), 'slimguard-chart-helm-'));
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: join(helmHome, 'cache'),
  HELM_CONFIG_HOME: join(helmHome, 'config'),
  HELM_DATA_HOME: join(helmHome, 'data'),
};

export type HelmRun = CommandRun;

export function runHelm(args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<HelmRun> {
  return runCommand(helmPath(), args, { env: { ...helmEnv, ...options.env } });
}

/** `--set`-style values as one `--set-json` per key, so types (numbers, lists) stay exact. */
export function valueArgs(values: Record<string, unknown>): string[] {
  return Object.entries(values).flatMap(([key, value]) => ['--set-json', `${key}=${JSON.stringify(value)}`]);
}

/** `helm template slimguard charts/slimguard --namespace slimguard` with the given values (and release name); the raw run. */
export interface RenderOptions {
  release?: string;
  namespace?: string;
  extraArgs?: string[];
}

export function helmTemplate(values: Record<string, unknown> = {}, options: RenderOptions = {}): Promise<HelmRun> {
  const { release = RELEASE, namespace = NAMESPACE, extraArgs = [] } = options;
  return runHelm(['template', release, CHART_DIR, '--namespace', namespace, ...valueArgs(values), ...extraArgs]);
}

// Rendered objects are plain JSON-like data; tests read them by path.
export type K8sObject = Record<string, any> & { apiVersion: string; kind: string; metadata: Record<string, any> & { name: string; namespace?: string } };

export class Rendered {
  constructor(
    readonly objects: K8sObject[],
    readonly text: string,
  ) {}

  /** The one object of this kind (and name, when given); fails naming what was rendered instead. */
  get(kind: string, name?: string): K8sObject {
    const found = this.objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
    if (found.length !== 1) {
      throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, rendered ${found.length}; objects: ${this.names().join(', ')}`);
    }
    return found[0]!;
  }

  has(kind: string, name?: string): boolean {
    return this.objects.some((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  }

  names(): string[] {
    return this.objects.map((o) => `${o.kind}/${o.metadata.name}`);
  }
}

export function parseRendered(text: string): Rendered {
  const objects = parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${document.errors[0]!.message}`);
      return document.toJS() as K8sObject | null;
    })
    .filter((object): object is K8sObject => object !== null);
  return new Rendered(objects, text);
}

/** Renders and parses; a failed render throws with helm's message. */
export async function renderChart(values: Record<string, unknown> = {}, options: RenderOptions = {}): Promise<Rendered> {
  const run = await helmTemplate(values, options);
  if (run.code !== 0) throw new Error(`helm template failed (exit ${run.code}): ${run.stderr}`);
  return parseRendered(run.stdout);
}

/** The `slimguard serve` args of the rendered Deployment. */
export function serveArgs(rendered: Rendered): string[] {
  return rendered.get('Deployment').spec.template.spec.containers[0].args as string[];
}

/** The values of every occurrence of a repeatable flag in an argument list. */
export function flagValues(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag && i + 1 < args.length ? [args[i + 1]!] : []));
}
