// Many admissions against a failing registry, at the admission level: real HTTPS AdmissionReviews
// to the built `slimguard serve`. The registry is the real harness registry behind the fault proxy
// (test/harness/fault-proxy.ts), which injects the 500s, resets and oversized bodies a real
// registry cannot be made to produce — a fake of the network, said so here.
//
// What it shows: a burst for one image does not multiply registry requests, many faulty admissions
// leave memory bounded and add nothing to the cache, and the process keeps answering. Memory is
// asserted loosely (bounds far above normal use, far below a leak of the faulty bodies); the
// figures themselves belong to the benchmarks.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFaultProxy, type RunningFaultProxy } from '../harness/fault-proxy.js';
import { policyYaml, startServeProcess, type ServeProcess } from '../harness/serve-process.js';
import { uniqueRepository } from '../image-facts/helpers.js';
import { admissionReview, fastDeployment } from '../webhook/objects.js';

const { anonymous } = inject('registries');
const MAX_ATTEMPTS = 3;
const MiB = 1024 * 1024;

let proxy: RunningFaultProxy;
let server: ServeProcess;
let repository: string;

beforeAll(async () => {
  proxy = await startFaultProxy({ target: anonymous.url });
  repository = uniqueRepository('fault-load');
  server = await startServeProcess({ policy: policyYaml('enforce', 'allow'), insecureRegistries: [proxy.host] });
});

afterAll(async () => {
  await server?.stop();
  await proxy?.stop();
});

/** Sends `count` reviews, `concurrency` at a time; returns every answer. */
async function sendAll(references: string[], concurrency: number) {
  const answers: { status: number; allowed: unknown; uid: string; gotUid: unknown; elapsedMs: number }[] = [];
  let next = 0;
  async function worker() {
    while (next < references.length) {
      const review = admissionReview(fastDeployment('web', references[next++]!));
      const answer = await server.review(review, 5);
      answers.push({
        status: answer.status,
        allowed: answer.json?.response?.allowed,
        uid: review.request.uid as string,
        gotUid: answer.json?.response?.uid,
        elapsedMs: answer.elapsedMs,
      });
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

function expectAllAllowedInTime(answers: Awaited<ReturnType<typeof sendAll>>) {
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(answer.gotUid).toBe(answer.uid);
    expect(answer.allowed).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(5_000);
  }
}

describe('load against a failing registry', () => {
  it('a burst of 100 admissions of one image behind a 500ing registry costs one lookup with bounded retries', async () => {
    const reference = `${proxy.host}/${repository}:burst`;
    proxy.setFault(({ path }) => (path.includes('/manifests/') ? { status: 500 } : undefined));
    const before = proxy.requests.length;
    try {
      const answers = await sendAll(Array.from({ length: 100 }, () => reference), 100);
      expect(answers).toHaveLength(100);
      expectAllAllowedInTime(answers);
    } finally {
      proxy.setFault(undefined);
    }
    const manifestRequests = proxy.requests.slice(before).filter((r) => r.path.includes('/manifests/burst'));
    // Concurrent lookups share one flight; a late arrival may start a second after the first failed.
    expect(manifestRequests.length).toBeGreaterThanOrEqual(MAX_ATTEMPTS);
    expect(manifestRequests.length).toBeLessThanOrEqual(2 * MAX_ATTEMPTS);
  });

  it('300 faulty admissions (oversized, 500, reset) leave memory bounded, the cache empty and the process up', async () => {
    const faults = [
      { oversize: 5 * MiB, chunked: true },
      { status: 500 },
      { reset: true },
    ] as const;
    let i = 0;
    // Each new tag is a new lookup; the fault is chosen by the tag so all three kinds mix.
    proxy.setFault(({ path }) => {
      const tag = /\/manifests\/f(\d+)$/.exec(path)?.[1];
      return tag === undefined ? undefined : faults[Number(tag) % faults.length];
    });
    const rssBefore = server.rssBytes();
    try {
      const answers = await sendAll(Array.from({ length: 300 }, () => `${proxy.host}/${repository}:f${i++}`), 20);
      expect(answers).toHaveLength(300);
      expectAllAllowedInTime(answers);
    } finally {
      proxy.setFault(undefined);
    }
    expect(server.running()).toBe(true);
    expect(await server.healthz()).toBe(200);
    // Nothing of a failed lookup is cached (only NOT_FOUND is, briefly, as a negative entry).
    expect(await server.metric('slimguard_image_cache_entries')).toBe(0);
    // 100 oversized bodies were up to 4 MiB each: kept, they would be 400 MiB.
    const heapUsed = await server.metric('slimguard_nodejs_heap_size_used_bytes');
    expect(heapUsed).toBeLessThan(200 * MiB);
    expect(server.rssBytes() - rssBefore).toBeLessThan(250 * MiB);
    // Bounded retries: at most MAX_ATTEMPTS manifest requests per image.
    const perImage = new Map<string, number>();
    for (const request of proxy.requests) {
      const tag = /\/manifests\/(f\d+)$/.exec(request.path)?.[1];
      if (tag) perImage.set(tag, (perImage.get(tag) ?? 0) + 1);
    }
    expect(perImage.size).toBe(300);
    expect(Math.max(...perImage.values())).toBeLessThanOrEqual(MAX_ATTEMPTS);
  });
});
