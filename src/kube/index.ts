// The kube module: what slimguard reads from (and, for its certificate, writes to) the cluster.
export { createKubeContext, type KubeContext, type KubeContextOptions } from './kube-context.js';
export { describeKubeError, KubeError, type KubeErrorCode } from './errors.js';
export { resolveKubeConfig, SERVICE_ACCOUNT_DIR, type KubeConfigResolution, type ResolveKubeConfigOptions } from './kube-config.js';
export { createInformerCache, GuardedWatch, type InformerCache, type InformerCacheOptions, type RetryOptions } from './informer-cache.js';
export { excludingNamespaces } from './field-selector.js';
export { namespaceLabelsFrom } from './namespace-labels.js';
export { clusterPlatforms, platformOfNode } from './node-platforms.js';
export {
  createPullSecretResolver,
  PULL_SECRET_TYPES,
  type PodCredentialsRequest,
  type PodPullSecrets,
  type PullSecretResolver,
  type PullSecretResolverOptions,
} from './pull-secrets.js';
export {
  caBundlePatch,
  encodeCaBundle,
  patchWebhookCaBundle,
  type JsonPatchOperation,
  type PatchWebhookCaBundleOptions,
  type PatchWebhookCaBundleResult,
} from './webhook-ca-bundle.js';
export {
  createCertificateSecretStore,
  TLS_SECRET_TYPE,
  type CertificateSecretStore,
  type CertificateSecretStoreOptions,
  type StoredSecret,
} from './certificate-secret.js';
