import type { ImageSource } from '../image-facts/image-source.js';
import { judgeImage } from '../judge/judge-image.js';
import { formatPlatform, normalizePlatform } from '../oci/platform.js';
import { ImageFactsError } from '../image-facts/errors.js';
import type { Platform } from '../oci/types.js';
import type { Policy } from '../policy/policy.js';
import type { CheckResult } from './check-report.js';

export interface CheckOptions {
  images: string[];
  source: ImageSource;
  policy: Policy;
  /**
   * Platforms to judge in multi-platform images (`--platform`, repeatable); each (image,
   * platform) is one result. Default: the policy's first platform.
   */
  platforms?: Platform[];
  /** Judge every platform an image's index offers (`--all-platforms`); attestations are not platforms. */
  allPlatforms?: boolean;
  /** Lookups in flight at once; registries rate-limit, so keep it modest. */
  concurrency?: number;
  /** Deadline of each lookup, counted from when it starts (not while it waits its turn). */
  timeoutMs?: number;
  /** Called when every platform of one image is judged (for progress). */
  onImageDone?: (image: string) => void;
}

/**
 * Judges each image on its own: one image's error never hides another image's verdict.
 * Results come in the order of `images`, then of the platforms. Lookups share `source`, whose
 * cache and single-flight fetch each unique digest once per run however often it is named.
 */
export async function runCheck(options: CheckOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const limit = createLimit(options.concurrency ?? 8);
  const requested = uniquePlatforms(options.platforms ?? []);
  const defaultPlatform = requested[0] ?? options.policy.platforms[0];

  const judge = (image: string, platform: Platform | undefined, recordPlatform: boolean) =>
    limit(async (): Promise<CheckResult> => {
      try {
        const judgement = await judgeImage({
          source: options.source,
          policy: options.policy,
          reference: image,
          platform,
          signal: AbortSignal.timeout(timeoutMs),
          deadline: Date.now() + timeoutMs,
        });
        return { image, judgement };
      } catch (error) {
        return {
          image,
          ...(recordPlatform && platform ? { platform } : {}),
          error: describeError(image, error),
          ...(error instanceof ImageFactsError && error.availablePlatforms ? { availablePlatforms: error.availablePlatforms } : {}),
        };
      }
    });

  async function checkImage(image: string): Promise<CheckResult[]> {
    if (options.allPlatforms) {
      // The first lookup tells which platforms the index has; a single-platform image is done.
      const first = await judge(image, defaultPlatform, false);
      if ('error' in first) {
        // An index without the default platform (arm64 + arm/v7 only): judge what it has.
        const offered = first.availablePlatforms;
        return offered?.length ? Promise.all(offered.map((platform) => judge(image, platform, true))) : [first];
      }
      const available = first.judgement.facts.availablePlatforms;
      if (available === undefined || available.length === 0) return [first];
      const judged = first.judgement.facts.platform;
      return Promise.all(available.map((platform) => (samePlatform(platform, judged) ? first : judge(image, platform, true))));
    }
    if (requested.length <= 1) return [await judge(image, defaultPlatform, requested.length === 1)];
    return Promise.all(requested.map((platform) => judge(image, platform, true)));
  }

  return (
    await Promise.all(
      options.images.map(async (image) => {
        const results = await checkImage(image);
        options.onImageDone?.(image);
        return onePerManifest(results);
      }),
    )
  ).flat();
}

/**
 * A single-platform image is the same manifest whatever platform is asked for, and a platform
 * can fall back to an older variant another requested platform names: judge each manifest once.
 */
function onePerManifest(results: CheckResult[]): CheckResult[] {
  const seen = new Set<string>();
  return results.filter((result) => {
    if ('error' in result) return true;
    const digest = result.judgement.facts.digest;
    if (seen.has(digest)) return false;
    seen.add(digest);
    return true;
  });
}

function platformKey(platform: Platform): string {
  return `${formatPlatform(normalizePlatform(platform))} ${platform['os.version'] ?? ''}`;
}

function samePlatform(a: Platform, b: Platform): boolean {
  return platformKey(a) === platformKey(b);
}

/** `--platform linux/arm64 --platform linux/aarch64/v8` asks for one platform. */
function uniquePlatforms(platforms: readonly Platform[]): Platform[] {
  const seen = new Set<string>();
  return platforms.filter((platform) => {
    const key = platformKey(platform);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Runs at most `concurrency` tasks at once; waiting tasks start in the order they were queued. */
function createLimit(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finishing task hands its slot straight to the next waiting one, so no newcomer can slip in between.
    if (running < concurrency) running += 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** Every error message starts with the image as the user wrote it. */
function describeError(image: string, error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: typeof code === 'string' ? code : 'INTERNAL',
    message: message.startsWith(image) ? message : `${image}: ${message}`,
  };
}
