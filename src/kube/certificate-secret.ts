import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { describeKubeError, KubeError, statusCodeOf } from './errors.js';
import { GuardedWatch } from './informer-cache.js';
import { watchNamedObject } from './watch-named-object.js';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

/** A certificate Secret as read: its data decoded to text, and the version to update it from. */
export interface StoredSecret {
  data: Record<string, string>;
  resourceVersion: string;
}

export interface CertificateSecretStore {
  readonly namespace: string;
  readonly name: string;
  /** undefined when the Secret does not exist. */
  read(): Promise<StoredSecret | undefined>;
  /** 'exists' when another writer created it first (409 AlreadyExists). */
  create(data: Record<string, string>): Promise<StoredSecret | 'exists'>;
  /** 'conflict' when it changed since `resourceVersion` was read (409 Conflict), or was deleted. */
  update(data: Record<string, string>, resourceVersion: string): Promise<StoredSecret | 'conflict'>;
  /**
   * Watches this one Secret (field selector metadata.name, so RBAC can name it) from
   * `resourceVersion`; `onChange` on every event, `onEnd` when the watch ends, with the error if
   * any. Returns a function that stops it.
   */
  watch(resourceVersion: string, onChange: () => void, onEnd: (error?: unknown) => void): Promise<() => void>;
}

export interface CertificateSecretStoreOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  /** Labels of a created Secret. */
  labels?: Record<string, string>;
}

/**
 * The certificate Secret in the API server, with exactly the verbs the chart's Role grants:
 * get, watch and update on the Secret by name, and create (which RBAC cannot restrict by name).
 * No list: the watch starts from the resourceVersion a get returned.
 */
export function createCertificateSecretStore(options: CertificateSecretStoreOptions): CertificateSecretStore {
  const { kubeConfig, namespace, name } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const watcher = new GuardedWatch(kubeConfig);
  const fail = (verb: string, error: unknown) => secretError(kubeConfig, verb, namespace, name, error);

  const body = (data: Record<string, string>, resourceVersion?: string): V1Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      ...(options.labels === undefined ? {} : { labels: options.labels }),
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    type: TLS_SECRET_TYPE,
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')])),
  });

  return {
    namespace,
    name,
    async read() {
      let secret: V1Secret;
      try {
        secret = await core.readNamespacedSecret({ name, namespace });
      } catch (error) {
        if (statusCodeOf(error) === 404) return undefined;
        throw fail('get', error);
      }
      if (secret.type !== TLS_SECRET_TYPE) {
        throw new KubeError(
          'SECRET_TYPE_MISMATCH',
          `Secret ${namespace}/${name} has type ${secret.type ?? 'Opaque'}, not ${TLS_SECRET_TYPE}, and a Secret's type cannot change: delete it (kubectl -n ${namespace} delete secret ${name}) and slimguard recreates it, or name another Secret`,
        );
      }
      return stored(secret);
    },
    async create(data) {
      try {
        return stored(await core.createNamespacedSecret({ namespace, body: body(data) }));
      } catch (error) {
        if (statusCodeOf(error) === 409) return 'exists';
        throw fail('create', error);
      }
    },
    async update(data, resourceVersion) {
      try {
        return stored(await core.replaceNamespacedSecret({ name, namespace, body: body(data, resourceVersion) }));
      } catch (error) {
        // 404: deleted since the read; the caller re-reads and creates it again.
        if (statusCodeOf(error) === 409 || statusCodeOf(error) === 404) return 'conflict';
        throw fail('update', error);
      }
    },
    watch: (resourceVersion, onChange, onEnd) =>
      watchNamedObject({
        watcher,
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`,
        name,
        resourceVersion,
        onChange,
        onEnd: (error) => onEnd(error === undefined ? undefined : fail('watch', error)),
      }),
  };
}

function stored(secret: V1Secret): StoredSecret {
  const data = Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
  return { data, resourceVersion: secret.metadata?.resourceVersion ?? '' };
}

/**
 * A KubeError for a failed request on the Secret. A 403 says what to grant and to whom: the API
 * server's message names the user ("User \"system:serviceaccount:ns:sa\" cannot get resource ...").
 */
function secretError(kubeConfig: KubeConfig, verb: string, namespace: string, name: string, error: unknown): KubeError {
  const statusCode = statusCodeOf(error);
  const what = `Secret ${namespace}/${name}`;
  if (statusCode === 403) {
    const who = identityOf(describeKubeError(error), kubeConfig);
    return new KubeError(
      'FORBIDDEN',
      `cannot ${verb} ${what}: forbidden for ${who}. Grant it a Role in namespace ${namespace} with verbs get, watch, update on resource secrets (resourceNames: [${name}]) and create on secrets, bound to ${who}`,
      { cause: error, statusCode },
    );
  }
  if (statusCode === 404 && verb === 'create') {
    return new KubeError('KUBE_API', `cannot create ${what}: namespace ${namespace} does not exist (set --cert-namespace or POD_NAMESPACE)`, { cause: error, statusCode });
  }
  return new KubeError('KUBE_API', `cannot ${verb} ${what}: ${describeKubeError(error)}`, {
    cause: error,
    ...(statusCode === undefined ? {} : { statusCode }),
  });
}

function identityOf(message: string, kubeConfig: KubeConfig): string {
  const user = /User "([^"]+)"/.exec(message)?.[1];
  const serviceAccount = user === undefined ? undefined : /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user);
  if (serviceAccount) return `ServiceAccount ${serviceAccount[1]}/${serviceAccount[2]}`;
  if (user !== undefined) return `user "${user}"`;
  return `the kubeconfig user ${kubeConfig.getCurrentUser()?.name ?? '(unknown)'}`;
}
