// A self-contained kubeconfig (certificates embedded as *-data) that kubectl, helm and
// @kubernetes/client-node all read.
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  /** A client certificate (the admin) ... */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** ... or a bearer token (a ServiceAccount's, from `kubectl create token`). */
  token?: string;
  /** Cluster, user and context name; default `slimguard-test`. */
  name?: string;
  /** Namespace of the context; default none (kubectl's `default`). */
  namespace?: string;
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function kubeconfigYaml(options: KubeconfigOptions): string {
  const name = options.name ?? 'slimguard-test';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: options.server, 'certificate-authority-data': base64(options.caPem) } }],
    users: [
      {
        name,
        user:
          options.token !== undefined
            ? { token: options.token }
            : { 'client-certificate-data': base64(options.clientCertPem ?? ''), 'client-key-data': base64(options.clientKeyPem ?? '') },
      },
    ],
    contexts: [{ name, context: { cluster: name, user: name, ...(options.namespace ? { namespace: options.namespace } : {}) } }],
    'current-context': name,
    preferences: {},
  });
}
