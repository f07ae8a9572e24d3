// Turns the chart's rendered webhook container into the same `slimguard serve` command run on
// this machine. Only what cannot be the same outside a pod changes: the listen addresses (the
// API server calls https://HOST:PORT/validate), the mounted volumes (materialised into local
// directories, so every flag pointing into a mount points into its local copy), the cluster
// credentials (a kubeconfig instead of the mounted service account token) and the downward-API
// environment. Everything else — policy, registries, exclusions, pull secrets, certificate
// flags — is passed exactly as the chart renders it.
type Json = Record<string, any>;

export interface LocalServeRewrite {
  /** Container mountPath -> local directory holding that volume's files. */
  mounts: Record<string, string>;
  listen: string;
  metricsListen: string;
  kubeconfig: string;
}

const REPLACED = new Set(['--listen', '--metrics-listen', '--kubeconfig']);

/** The words after `serve` in the container's command + args, as [flag, value?] pairs. */
export function serveFlags(container: Json): [string, string | undefined][] {
  const words: string[] = [...(container.command ?? []), ...(container.args ?? [])];
  const serveAt = words.indexOf('serve');
  if (serveAt < 0) throw new Error(`container ${container.name} does not run "slimguard serve": ${JSON.stringify(words)}`);
  const flags: [string, string | undefined][] = [];
  const rest = words.slice(serveAt + 1);
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i]!;
    if (!word.startsWith('--')) throw new Error(`unexpected word ${JSON.stringify(word)} in the serve flags ${JSON.stringify(rest)}`);
    const equals = word.indexOf('=');
    if (equals > 0) {
      flags.push([word.slice(0, equals), word.slice(equals + 1)]);
    } else if (rest[i + 1] !== undefined && !rest[i + 1]!.startsWith('--')) {
      flags.push([word, rest[i + 1]]);
      i += 1;
    } else {
      flags.push([word, undefined]);
    }
  }
  return flags;
}

function localPath(value: string, mounts: Record<string, string>): string {
  // The longest mount path first: /etc/slimguard/tls wins over /etc/slimguard.
  for (const mountPath of Object.keys(mounts).sort((a, b) => b.length - a.length)) {
    const prefix = mountPath.endsWith('/') ? mountPath : `${mountPath}/`;
    if (value === mountPath) return mounts[mountPath]!;
    if (value.startsWith(prefix)) return `${mounts[mountPath]}/${value.slice(prefix.length)}`;
  }
  return value;
}

export function localServeArgs(container: Json, rewrite: LocalServeRewrite): string[] {
  const args = ['serve', '--listen', rewrite.listen, '--metrics-listen', rewrite.metricsListen, '--kubeconfig', rewrite.kubeconfig];
  for (const [flag, value] of serveFlags(container)) {
    if (REPLACED.has(flag)) continue;
    args.push(value === undefined ? flag : `${flag}=${localPath(value, rewrite.mounts)}`);
  }
  return args;
}

/** The container's environment with downward-API fields resolved as kubelet would for this pod. */
export function localServeEnv(container: Json, pod: { namespace: string; name: string; serviceAccountName: string }): Record<string, string> {
  const fields: Record<string, string> = {
    'metadata.namespace': pod.namespace,
    'metadata.name': pod.name,
    'spec.serviceAccountName': pod.serviceAccountName,
  };
  const env: Record<string, string> = {};
  for (const variable of (container.env ?? []) as Json[]) {
    if (typeof variable.value === 'string') env[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef?.fieldPath in fields) env[variable.name] = fields[variable.valueFrom.fieldRef.fieldPath]!;
    else if (variable.valueFrom !== undefined) {
      throw new Error(`env ${variable.name} of container ${container.name}: ${JSON.stringify(variable.valueFrom)} has no local equivalent`);
    }
  }
  return env;
}
