import type { ImageSource } from '../image-facts/image-source.js';
import { judgeImage } from '../judge/judge-image.js';
import type { Platform } from '../oci/types.js';
import type { Policy } from '../policy/policy.js';
import type { CheckResult } from './check-report.js';
import { mapConcurrent } from './map-concurrent.js';

export interface CheckOptions {
  images: string[];
  source: ImageSource;
  policy: Policy;
  platform?: Platform;
  /** Images fetched at once; registries rate-limit, so keep it modest. */
  concurrency?: number;
  /** Per-image deadline. */
  timeoutMs?: number;
}

/** Judges each image on its own: one image's error never hides another image's verdict. */
export async function runCheck(options: CheckOptions): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return mapConcurrent(options.images, options.concurrency ?? 8, async (image): Promise<CheckResult> => {
    try {
      const judgement = await judgeImage({
        source: options.source,
        policy: options.policy,
        reference: image,
        platform: options.platform ?? options.policy.platforms[0],
        signal: AbortSignal.timeout(timeoutMs),
        deadline: Date.now() + timeoutMs,
      });
      return { image, judgement };
    } catch (error) {
      return { image, error: describeError(image, error) };
    }
  });
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
