import { ListWatch, Watch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeKubeError } from './errors.js';

/**
 * A list/watch cache of one kind of object, on client-node's ListWatch, with what ListWatch
 * leaves to its user:
 * - restarts. ListWatch re-lists by itself after 410 Gone and reconnects after a watch times out
 *   or the server closes it, but after any other error (API server unreachable, 403, 500, a
 *   failed list) it only calls its error callbacks and stops. Here every error is logged and the
 *   list/watch restarts with exponential backoff; the objects it holds stay and keep being
 *   served, stale, until the API server is back.
 * - `synced()`: true once the first list has landed, and true from then on (a stale cache is
 *   still the best answer; readiness must not flap because the API server restarts).
 * - no crash: an exception inside client-node's watch set-up (a token file that cannot be read,
 *   an exec credential plugin that fails) would surface as an unhandled rejection; it is turned
 *   into an ordinary watch error instead.
 */
export interface InformerCache<T extends KubernetesObject> {
  /** For logs: "namespaces", "nodes", "secrets (kubernetes.io/dockerconfigjson)". */
  readonly name: string;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): readonly T[];
  synced(): boolean;
  /** Resolves when the first list has landed (never rejects; it may never resolve when stopped first). */
  whenSynced(): Promise<void>;
  /** Called after every change applied to the cache (add, update, delete, and each object of a re-list). */
  onChange(listener: () => void): void;
  start(): void;
  stop(): Promise<void>;
}

export interface RetryOptions {
  /** First delay after an error (default 1 s); doubled per consecutive error. */
  initialDelayMs?: number;
  /** Cap of the delay (default 30 s). */
  maxDelayMs?: number;
}

export interface InformerCacheOptions<T extends KubernetesObject> {
  name: string;
  /** The collection's API path: "/api/v1/namespaces", "/api/v1/secrets". */
  path: string;
  /** Lists the collection with the same selectors as the watch. */
  list: () => Promise<KubernetesListObject<T>>;
  /** Usually `new GuardedWatch(kubeConfig)`, which turns set-up failures into watch errors. */
  watch: Watch;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  logger: Logger;
  retry?: RetryOptions | undefined;
}

export function createInformerCache<T extends KubernetesObject>(options: InformerCacheOptions<T>): InformerCache<T> {
  const { name, logger } = options;
  const initialDelayMs = options.retry?.initialDelayMs ?? 1000;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;

  let hasSynced = false;
  let resolveSynced: () => void = () => {};
  const syncedPromise = new Promise<void>((resolve) => {
    resolveSynced = resolve;
  });
  let consecutiveErrors = 0;
  let stopped = true;
  let restartTimer: NodeJS.Timeout | undefined;
  const listeners: (() => void)[] = [];

  const recovered = (): void => {
    if (consecutiveErrors > 0) logger.info({ informer: name, after: consecutiveErrors }, 'kube informer recovered');
    consecutiveErrors = 0;
  };

  const list = async (): Promise<KubernetesListObject<T>> => {
    const result = await options.list();
    recovered();
    return result;
  };

  // ListWatch only ever watches after a list has landed in its cache (it has no resourceVersion
  // to watch from before), so its first watch call is the moment the cache is complete. Marking
  // `synced` when the list promise resolves instead would be a few microtasks early.
  const watchAfterList = {
    watch: (...args: Parameters<Watch['watch']>): ReturnType<Watch['watch']> => {
      if (!hasSynced) {
        hasSynced = true;
        resolveSynced();
        logger.debug({ informer: name, objects: informer.list().length }, 'kube informer synced');
      }
      return options.watch.watch(...args);
    },
  } as unknown as Watch;

  const informer = new ListWatch<T>(options.path, watchAfterList, list, false, options.labelSelector, options.fieldSelector);

  const changed = (): void => {
    recovered();
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        // A listener bug must not break the informer's own bookkeeping.
        logger.error({ informer: name, error: describeKubeError(error) }, 'kube informer change listener failed');
      }
    }
  };
  informer.on('add', changed);
  informer.on('update', changed);
  informer.on('delete', changed);

  informer.on('error', (error: unknown) => {
    // stop() aborts the running watch, which reports an AbortError: that is not a failure.
    if (stopped) return;
    consecutiveErrors += 1;
    const delayMs = Math.min(initialDelayMs * 2 ** Math.min(consecutiveErrors - 1, 30), maxDelayMs);
    logger.warn(
      { informer: name, error: describeKubeError(error), attempt: consecutiveErrors, retryInMs: delayMs, synced: hasSynced },
      hasSynced ? 'kube informer lost its watch; serving cached objects until it is back' : 'kube informer cannot list yet',
    );
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      run();
    }, delayMs);
    // A pending retry must not keep a process alive that is otherwise done.
    restartTimer.unref();
  });

  // ListWatch.start() lists (when it has no resourceVersion, or after 410) and then watches from
  // the last resourceVersion it saw; its failures arrive through the error callback above.
  const run = (): void => {
    if (stopped) return;
    informer.start().catch((error: unknown) => {
      logger.error({ informer: name, error: describeKubeError(error) }, 'kube informer failed to start');
    });
  };

  return {
    name,
    get: (objectName, namespace) => informer.get(objectName, namespace),
    list: (namespace) => informer.list(namespace),
    synced: () => hasSynced,
    whenSynced: () => syncedPromise,
    onChange(listener) {
      listeners.push(listener);
    },
    start() {
      if (!stopped) return;
      stopped = false;
      run();
    },
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      await informer.stop();
    },
  };
}

/**
 * client-node's Watch, except that a failure to set a watch up (authentication that throws, no
 * current cluster) is reported through `done` like any other watch error instead of rejecting a
 * promise nobody awaits.
 */
export class GuardedWatch extends Watch {
  constructor(kubeConfig: KubeConfig) {
    super(kubeConfig);
  }

  override async watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: any, watchObj?: any) => void,
    done: (err: any) => void,
  ): Promise<AbortController> {
    try {
      return await super.watch(path, queryParams, callback, done);
    } catch (error) {
      done(error);
      return new AbortController();
    }
  }
}
