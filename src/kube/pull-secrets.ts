import type { V1Secret, V1ServiceAccount } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createPullSecretKeychain } from '../registry/docker-config-keychain.js';
import type { Keychain } from '../registry/keychain.js';
import { createMultiKeychain } from '../registry/multi-keychain.js';
import { describeKubeError } from './errors.js';
import type { InformerCache } from './informer-cache.js';

/** The Secret types kubelet reads image pull credentials from; the Secret informers watch only these. */
export const PULL_SECRET_TYPES = ['kubernetes.io/dockerconfigjson', 'kubernetes.io/dockercfg'] as const;

export interface PodCredentialsRequest {
  namespace: string;
  /** The pod's spec.serviceAccountName; empty or absent means "default", as the API server sets it. */
  serviceAccountName?: string | undefined;
  /** Names from the pod's spec.imagePullSecrets. */
  imagePullSecrets: readonly string[];
}

export interface PodPullSecrets {
  /** The credentials of the secrets found, first secret first; undefined when none was usable. */
  keychain?: Keychain;
  /** "namespace/name" of each secret the keychain was made of, in order. */
  usedSecrets: string[];
  /**
   * Names of referenced secrets that are not in the cache: absent, or not of a docker config type
   * (only those are watched). kubelet skips them too, so the pull may still work anonymously.
   */
  missingSecrets: string[];
  /** Names of referenced docker config secrets whose content is malformed; skipped as well. */
  invalidSecrets: string[];
}

export interface PullSecretResolverOptions {
  serviceAccounts: Pick<InformerCache<V1ServiceAccount>, 'get'>;
  /** The caches holding pull secrets (one per watched type); looked up in order. */
  secrets: readonly Pick<InformerCache<V1Secret>, 'get'>[];
  /** Namespaces whose ServiceAccounts and Secrets are not watched: nothing is reported missing there. */
  excludedNamespaces?: readonly string[] | undefined;
  logger: Logger;
}

export type PullSecretResolver = (request: PodCredentialsRequest) => PodPullSecrets;

/**
 * The pull secrets kubelet would use for a pod: the pod's own imagePullSecrets, or, when it lists
 * none, its ServiceAccount's (the ServiceAccount admission plugin copies them into a pod only
 * then; a workload's pod template gets them the same way when its pods are created).
 * Missing and malformed secrets are skipped, as kubelet does, and reported for a warning.
 * Registry matching is createPullSecretKeychain's: exact host[:port] only.
 */
export function createPullSecretResolver(options: PullSecretResolverOptions): PullSecretResolver {
  const excluded = new Set(options.excludedNamespaces ?? []);
  // Parsed keychains per Secret object: an update replaces the object in the cache, so a stale
  // entry is never hit and is collected with the old object.
  const parsed = new WeakMap<V1Secret, Keychain | 'invalid'>();

  const keychainOf = (secret: V1Secret, qualifiedName: string): Keychain | 'invalid' => {
    const known = parsed.get(secret);
    if (known !== undefined) return known;
    let result: Keychain | 'invalid';
    try {
      result = createPullSecretKeychain([{ type: secret.type ?? '', data: secret.data, name: qualifiedName }]);
    } catch (error) {
      // CredentialsError messages name the secret and the field, never its content.
      options.logger.warn({ secret: qualifiedName, error: describeKubeError(error) }, 'image pull secret is malformed; skipped');
      result = 'invalid';
    }
    parsed.set(secret, result);
    return result;
  };

  const findSecret = (name: string, namespace: string): V1Secret | undefined => {
    for (const cache of options.secrets) {
      const secret = cache.get(name, namespace);
      if (secret !== undefined) return secret;
    }
    return undefined;
  };

  return (request) => {
    const result: PodPullSecrets = { usedSecrets: [], missingSecrets: [], invalidSecrets: [] };
    if (excluded.has(request.namespace)) return result;

    let names = request.imagePullSecrets.filter((name) => name !== '');
    if (names.length === 0) {
      const serviceAccountName = request.serviceAccountName || 'default';
      const serviceAccount = options.serviceAccounts.get(serviceAccountName, request.namespace);
      names = (serviceAccount?.imagePullSecrets ?? []).map((reference) => reference.name ?? '').filter((name) => name !== '');
    }

    const keychains: Keychain[] = [];
    for (const name of new Set(names)) {
      const secret = findSecret(name, request.namespace);
      if (secret === undefined) {
        result.missingSecrets.push(name);
        continue;
      }
      const qualifiedName = `${request.namespace}/${name}`;
      const keychain = keychainOf(secret, qualifiedName);
      if (keychain === 'invalid') {
        result.invalidSecrets.push(name);
        continue;
      }
      keychains.push(keychain);
      result.usedSecrets.push(qualifiedName);
    }
    if (keychains.length > 0) result.keychain = keychains.length === 1 ? keychains[0]! : createMultiKeychain(keychains);
    return result;
  };
}
