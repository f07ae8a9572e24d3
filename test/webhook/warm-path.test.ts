// The review handler's synchronous warm path: a review whose images are all in memory is answered
// as a value (no promise, no abort signal read), anything needing the registry goes the async way.
import pino from 'pino';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { parsePolicy } from '../../src/config/parse-policy.js';
import { createImageSource } from '../../src/image-facts/create-image-source.js';
import type { AdmissionReviewResponse } from '../../src/admission/index.js';
import { createReviewHandler, type ReviewContext } from '../../src/webhook/review-handler.js';
import { buildImage } from '../harness/oci-image-builder.js';
import { countRequests, pushTo, uniqueRepository } from '../image-facts/helpers.js';
import { admissionReview } from './objects.js';

const { anonymous } = inject('registries');
const logger = pino({ level: 'silent' });
const POLICY = parsePolicy(
  'apiVersion: slimguard.io/v1alpha1\nkind: ImagePolicy\nmetadata: {name: test}\nspec:\n  mode: enforce\n  rules:\n    sizeBudget: {maxCompressedSize: 1Mi}\n',
  'test',
);
let repository: string;
let rootImage: string;
let slimImage: string;

function pod(...images: string[]) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) },
  };
}

/** A review context that counts how often its abort signal is asked for. */
function countingContext(): { context: ReviewContext; signalReads: () => number } {
  let reads = 0;
  const signal = AbortSignal.timeout(9_000);
  const context = {
    deadline: Date.now() + 9_000,
    requestId: 'test',
    get signal() {
      reads += 1;
      return signal;
    },
  };
  return { context, signalReads: () => reads };
}

function denied(answer: AdmissionReviewResponse): boolean {
  return !answer.response.allowed;
}

beforeAll(async () => {
  repository = uniqueRepository('warmpath');
  await pushTo(anonymous, repository, 'root', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'wp-root' }] }));
  await pushTo(anonymous, repository, 'slim', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'wp-slim' }] }));
  rootImage = `${anonymous.host}/${repository}:root`;
  slimImage = `${anonymous.host}/${repository}:slim`;
});

describe('warm path of the review handler', () => {
  it('answers a fully warm review synchronously, without a registry request or an abort signal', async () => {
    const source = createImageSource({ insecureRegistries: [anonymous.host] });
    const handle = createReviewHandler({ source, policy: () => POLICY, logger });
    const cold = countingContext();
    const first = handle(admissionReview(pod(slimImage, rootImage)), cold.context);
    expect(first).toBeInstanceOf(Promise);
    const coldAnswer = await first;
    expect(cold.signalReads()).toBeGreaterThan(0);

    const warm = countingContext();
    const { result, requests } = await countRequests(anonymous, repository, async () => handle(admissionReview(pod(slimImage, rootImage)), warm.context));
    expect(result).not.toBeInstanceOf(Promise);
    expect(requests).toHaveLength(0);
    expect(warm.signalReads()).toBe(0);
    const warmAnswer = result as AdmissionReviewResponse;
    // The same verdict either way: denied, for the root image only.
    expect(denied(warmAnswer)).toBe(true);
    expect(warmAnswer.response.status?.message).toBe(coldAnswer.response.status?.message);
    expect(warmAnswer.response.status?.message).toContain(rootImage);
    expect(warmAnswer.response.status?.message).not.toContain(slimImage);
    expect(source.stats().hits).toBeGreaterThanOrEqual(2);
    await source.close();
  });

  it('falls back to the async path for the one image not in memory, and keeps the warm verdicts', async () => {
    const source = createImageSource({ insecureRegistries: [anonymous.host] });
    const handle = createReviewHandler({ source, policy: () => POLICY, logger });
    await handle(admissionReview(pod(slimImage)), countingContext().context);

    const mixed = countingContext();
    const { result, requests } = await countRequests(anonymous, repository, async () => {
      const answer = handle(admissionReview(pod(slimImage, rootImage)), mixed.context);
      expect(answer).toBeInstanceOf(Promise);
      return answer;
    });
    // Only the root image was read (manifest, config); the slim one came from memory.
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.every((r) => !r.path.includes('/manifests/slim'))).toBe(true);
    expect(mixed.signalReads()).toBeGreaterThan(0);
    expect(denied(result)).toBe(true);
    expect(result.response.status?.message).toContain(rootImage);
    await source.close();
  });

  it('sends an expired tag to revalidation (one HEAD), then answers synchronously again', async () => {
    let now = 1_000_000;
    const source = createImageSource({ insecureRegistries: [anonymous.host], cache: { tagTtlMs: 60_000, now: () => now } });
    const handle = createReviewHandler({ source, policy: () => POLICY, logger });
    await handle(admissionReview(pod(slimImage)), countingContext().context);
    expect(handle(admissionReview(pod(slimImage)), countingContext().context)).not.toBeInstanceOf(Promise);

    now += 61_000;
    const expired = await countRequests(anonymous, repository, async () => {
      const answer = handle(admissionReview(pod(slimImage)), countingContext().context);
      expect(answer).toBeInstanceOf(Promise);
      return answer;
    });
    expect(expired.requests.map((r) => r.method)).toEqual(['HEAD']);
    expect(expired.result.response.allowed).toBe(true);

    const again = countingContext();
    expect(handle(admissionReview(pod(slimImage)), again.context)).not.toBeInstanceOf(Promise);
    expect(again.signalReads()).toBe(0);
    await source.close();
  });

  it('judges a moved tag by its new image once revalidated, on the warm path too', async () => {
    const moving = uniqueRepository('warmmove');
    await pushTo(anonymous, moving, 'v1', buildImage({ user: '65532', layers: [{ sizeBytes: 100, seed: 'wp-move-1' }] }));
    const image = `${anonymous.host}/${moving}:v1`;
    let now = 1_000_000;
    const source = createImageSource({ insecureRegistries: [anonymous.host], cache: { tagTtlMs: 60_000, now: () => now } });
    const handle = createReviewHandler({ source, policy: () => POLICY, logger });
    expect((await handle(admissionReview(pod(image)), countingContext().context)).response.allowed).toBe(true);
    expect(handle(admissionReview(pod(image)), countingContext().context)).toMatchObject({ response: { allowed: true } });

    // The tag now names a root image: after the TTL the HEAD sees the new digest and it is read.
    await pushTo(anonymous, moving, 'v1', buildImage({ user: '', layers: [{ sizeBytes: 100, seed: 'wp-move-2' }] }));
    now += 61_000;
    expect((await handle(admissionReview(pod(image)), countingContext().context)).response.allowed).toBe(false);
    const warm = handle(admissionReview(pod(image)), countingContext().context);
    expect(warm).not.toBeInstanceOf(Promise);
    expect(warm).toMatchObject({ response: { allowed: false } });
    await source.close();
  });

  it('rejects a review it cannot decode, never throws', async () => {
    const source = createImageSource({ insecureRegistries: [anonymous.host] });
    const handle = createReviewHandler({ source, policy: () => POLICY, logger });
    const answer = handle({ hello: 'world' }, countingContext().context);
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).rejects.toMatchObject({ statusCode: 400 });
    await source.close();
  });
});
