import { KubeConfig, type KubernetesListObject, type V1Namespace, type Watch } from '@kubernetes/client-node';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createInformerCache, GuardedWatch, type InformerCache } from './informer-cache.js';

// The cluster suite (test/cluster/kube) runs these caches against a real kube-apiserver, API
// server outage included. What a real API server cannot be made to do on demand (fail a list,
// answer 500 to a watch, send a 410 Gone event) is scripted here with a stand-in Watch that
// behaves like client-node's: it calls `done` once, with an AbortError when aborted.

interface Session {
  query: Record<string, unknown>;
  emit(type: string, object: unknown): void;
  end(error: unknown): void;
  ended: boolean;
}

class ScriptedWatch {
  readonly sessions: Session[] = [];

  async watch(
    _path: string,
    query: Record<string, unknown>,
    callback: (phase: string, object: unknown) => void,
    done: (error: unknown) => void,
  ): Promise<AbortController> {
    const controller = new AbortController();
    const session: Session = {
      query: { ...query },
      ended: false,
      emit: (type, object) => callback(type, object),
      end: (error) => {
        if (session.ended) return;
        session.ended = true;
        done(error);
      },
    };
    controller.signal.addEventListener('abort', () => session.end(new DOMException('aborted', 'AbortError')));
    this.sessions.push(session);
    return controller;
  }
}

const namespace = (name: string, resourceVersion: string): V1Namespace => ({ metadata: { name, resourceVersion } });
const list = (resourceVersion: string, ...names: string[]): KubernetesListObject<V1Namespace> => ({
  metadata: { resourceVersion },
  items: names.map((name) => namespace(name, resourceVersion)),
});

function logCapture() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines, warnings: () => lines.filter((line) => line.level === 40) };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const started: InformerCache<V1Namespace>[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((cache) => cache.stop()));
});

function setup(lists: (() => Promise<KubernetesListObject<V1Namespace>>)[]) {
  const watch = new ScriptedWatch();
  const log = logCapture();
  let listCalls = 0;
  const cache = createInformerCache<V1Namespace>({
    name: 'namespaces',
    path: '/api/v1/namespaces',
    watch: watch as unknown as Watch,
    list: () => {
      const next = lists[Math.min(listCalls, lists.length - 1)]!;
      listCalls += 1;
      return next();
    },
    logger: log.logger,
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  started.push(cache);
  return { cache, watch, log, listCalls: () => listCalls };
}

describe('createInformerCache', () => {
  it('retries a failed first list with backoff, logging each failure, and is synced only after a list', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
    const { cache, log, listCalls } = setup([
      () => Promise.reject(refused),
      () => Promise.reject(refused),
      () => Promise.resolve(list('10', 'a')),
    ]);
    cache.start();
    await waitFor(() => log.warnings().length >= 1, 'the first failure');
    expect(cache.synced()).toBe(false);
    await cache.whenSynced();
    expect(cache.synced()).toBe(true);
    expect(cache.get('a')?.metadata?.name).toBe('a');
    expect(listCalls()).toBe(3);
    const warnings = log.warnings();
    expect(warnings.map((w) => [w.msg, w['error'], w['attempt'], w['retryInMs']])).toEqual([
      ['kube informer cannot list yet', 'fetch failed (ECONNREFUSED)', 1, 5],
      ['kube informer cannot list yet', 'fetch failed (ECONNREFUSED)', 2, 10],
    ]);
    expect(log.lines.some((line) => line.msg === 'kube informer recovered')).toBe(true);
  });

  it('keeps serving cached objects when the watch fails, and resumes from the last resourceVersion', async () => {
    const { cache, watch, log, listCalls } = setup([() => Promise.resolve(list('10', 'a'))]);
    let changes = 0;
    cache.onChange(() => (changes += 1));
    cache.start();
    await waitFor(() => watch.sessions.length === 1, 'the first watch');
    expect(watch.sessions[0]!.query['resourceVersion']).toBe('10');
    watch.sessions[0]!.emit('ADDED', namespace('b', '11'));
    expect(cache.list().map((ns) => ns.metadata?.name).sort()).toEqual(['a', 'b']);

    watch.sessions[0]!.end(Object.assign(new Error('Internal Server Error'), { statusCode: 500 }));
    // Stale but still there while the watch is down.
    expect(cache.get('b')).toBeDefined();
    expect(cache.synced()).toBe(true);
    await waitFor(() => watch.sessions.length === 2, 'the restarted watch');
    expect(watch.sessions[1]!.query['resourceVersion']).toBe('11');
    expect(listCalls()).toBe(1);
    expect(log.warnings().map((w) => [w.msg, w['error']])).toEqual([
      ['kube informer lost its watch; serving cached objects until it is back', 'HTTP 500'],
    ]);
    watch.sessions[1]!.emit('MODIFIED', { metadata: { name: 'b', resourceVersion: '12', labels: { x: 'y' } } });
    expect(cache.get('b')?.metadata?.labels).toEqual({ x: 'y' });
    expect(changes).toBe(3); // list(a), ADDED b, MODIFIED b
  });

  it('re-lists after a 410 Gone event, dropping what was deleted meanwhile, without logging an error', async () => {
    const { cache, watch, log, listCalls } = setup([() => Promise.resolve(list('10', 'a', 'b')), () => Promise.resolve(list('50', 'a', 'c'))]);
    cache.start();
    await waitFor(() => watch.sessions.length === 1, 'the first watch');
    watch.sessions[0]!.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    watch.sessions[0]!.end(null);
    await waitFor(() => watch.sessions.length === 2, 'the watch after the re-list');
    expect(listCalls()).toBe(2);
    expect(watch.sessions[1]!.query['resourceVersion']).toBe('50');
    expect(cache.list().map((ns) => ns.metadata?.name).sort()).toEqual(['a', 'c']);
    expect(log.warnings()).toEqual([]);
  });

  it('re-lists after a watch answered HTTP 410', async () => {
    const { cache, watch, listCalls } = setup([() => Promise.resolve(list('10', 'a')), () => Promise.resolve(list('60', 'z'))]);
    cache.start();
    await waitFor(() => watch.sessions.length === 1, 'the first watch');
    watch.sessions[0]!.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await waitFor(() => watch.sessions.length === 2, 'the watch after the re-list');
    expect(listCalls()).toBe(2);
    expect(cache.list().map((ns) => ns.metadata?.name)).toEqual(['z']);
  });

  it('stops for good: no restart and no error logged for the aborted watch', async () => {
    const { cache, watch, log } = setup([() => Promise.resolve(list('10', 'a'))]);
    cache.start();
    await waitFor(() => watch.sessions.length === 1, 'the first watch');
    await cache.stop();
    expect(watch.sessions[0]!.ended).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watch.sessions).toHaveLength(1);
    expect(log.warnings()).toEqual([]);
    expect(cache.get('a')).toBeDefined();
  });

  it('turns a watch set-up that throws into a logged, retried error (no unhandled rejection)', async () => {
    // A KubeConfig without a current cluster makes client-node's Watch.watch throw before any request.
    const log = logCapture();
    const cache = createInformerCache<V1Namespace>({
      name: 'namespaces',
      path: '/api/v1/namespaces',
      watch: new GuardedWatch(new KubeConfig()),
      list: () => Promise.resolve(list('10', 'a')),
      logger: log.logger,
      retry: { initialDelayMs: 5, maxDelayMs: 5 },
    });
    started.push(cache);
    cache.start();
    await waitFor(() => log.warnings().length >= 2, 'two failed watch set-ups');
    expect(log.warnings()[0]?.['error']).toBe('No currently active cluster');
    expect(cache.synced()).toBe(true);
  });
});
