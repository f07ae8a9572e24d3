import type { Watch } from '@kubernetes/client-node';

export interface WatchNamedObjectOptions {
  /** Usually a GuardedWatch. */
  watcher: Watch;
  /** The collection: "/api/v1/namespaces/ns/secrets", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations". */
  path: string;
  name: string;
  /** Watch from this version; none: the server first replays the object as it is (an ADDED event). */
  resourceVersion?: string | undefined;
  /** Every event of the object. */
  onChange(): void;
  /** Once, when the watch ends: a server timeout (no error), a network error or an ERROR event (410 Gone). */
  onEnd(error?: unknown): void;
}

/**
 * Watches one object by name. The field selector `metadata.name=NAME` lets RBAC grant `watch`
 * with resourceNames, so no list of the whole collection is needed. Returns a function that stops
 * the watch (onEnd is then not called).
 */
export async function watchNamedObject(options: WatchNamedObjectOptions): Promise<() => void> {
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    options.onEnd(error === undefined || error === null ? undefined : error);
  };
  const controller = await options.watcher.watch(
    options.path,
    { fieldSelector: `metadata.name=${options.name}`, ...(options.resourceVersion === undefined ? {} : { resourceVersion: options.resourceVersion }) },
    (phase, object) => {
      if (phase === 'ERROR') end(Object.assign(new Error('watch error event'), { body: object, statusCode: (object as { code?: number } | undefined)?.code }));
      else options.onChange();
    },
    (error) => end(error),
  );
  return () => {
    ended = true;
    controller.abort();
  };
}
