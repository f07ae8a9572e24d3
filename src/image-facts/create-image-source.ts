import { createAuthenticator } from '../registry/authenticator.js';
import { createHostPolicy } from '../registry/host-policy.js';
import { createHttpSender } from '../registry/http-sender.js';
import { anonymousKeychain, type Keychain } from '../registry/keychain.js';
import { createRegistryClient } from '../registry/registry-client.js';
import type { RetryOptions } from '../registry/retry.js';
import { createSsrfGuard } from '../registry/ssrf-guard.js';
import { createTransport, type RegistryCallEvent } from '../registry/transport.js';
import { createCachingImageSource, type CacheStats, type CachingSourceOptions } from './caching-source.js';
import type { ImageFacts } from './image-facts.js';
import type { FactsRequest, ImageSource, ProvenanceRequest } from './image-source.js';
import { createOciLayoutSource, isOciLayoutReference } from './oci-layout-source.js';
import { createRegistryImageSource } from './registry-source.js';

export interface ImageSourceOptions {
  /** host[:port] of registries reached over plain HTTP; listing one also allows it on loopback/private addresses. */
  insecureRegistries?: string[];
  /** Registry host globs that may be contacted (empty: all). */
  allowRegistries?: string[];
  /** Registry host globs that are never contacted. */
  denyRegistries?: string[];
  /** Allow registries on private networks (10/8, 172.16/12, 192.168/16, fc00::/7), e.g. an in-cluster mirror. */
  allowPrivateNetworks?: boolean;
  /** Credentials for every lookup (docker config, the webhook's own secret). */
  keychain?: Keychain;
  retry?: RetryOptions;
  cache?: Omit<CachingSourceOptions, 'inner'>;
  userAgent?: string;
  /** Called after every registry call (retries included), e.g. to export metrics. */
  onRegistryCall?: (event: RegistryCallEvent) => void;
}

export interface ConfiguredImageSource extends ImageSource {
  peekFacts(request: FactsRequest): ImageFacts | undefined;
  stats(): CacheStats;
  close(): Promise<void>;
}

/**
 * Wires the registry stack in one place (guard -> sender -> auth -> transport -> client ->
 * source -> cache), the way go-containerregistry stacks its transports, and routes
 * `oci:DIR[:REF]` references to the on-disk layout source.
 */
export function createImageSource(options: ImageSourceOptions = {}): ConfiguredImageSource {
  const insecure = options.insecureRegistries ?? [];
  const ssrfGuard = createSsrfGuard({ allowPrivate: options.allowPrivateNetworks ?? false, allowedHosts: insecure });
  const hostPolicy = createHostPolicy({ allow: options.allowRegistries, deny: options.denyRegistries, insecure });
  const sender = createHttpSender({ ssrfGuard, userAgent: options.userAgent });
  const transport = createTransport({
    sender,
    authenticator: createAuthenticator({ sender }),
    hostPolicy,
    keychain: options.keychain ?? anonymousKeychain,
    retry: options.retry,
    onCall: options.onRegistryCall,
  });
  const registry = createRegistryImageSource({ client: createRegistryClient({ transport }) });
  const layout = createOciLayoutSource();
  const cached = createCachingImageSource({ ...options.cache, inner: registry });

  return {
    getFacts: (request: FactsRequest) =>
      isOciLayoutReference(request.reference) ? layout.getFacts(request) : cached.getFacts(request),
    peekFacts: (request: FactsRequest) => (isOciLayoutReference(request.reference) ? undefined : cached.peekFacts(request)),
    getProvenance: (request: ProvenanceRequest) =>
      isOciLayoutReference(request.facts.reference) ? layout.getProvenance(request) : cached.getProvenance(request),
    stats: () => cached.stats(),
    close: () => sender.close(),
  };
}
