// Handler-cost benchmark (not a test): the CPU one review of a 3-container pod costs inside
// slimguard, in-process, with every digest cached — no TLS, no HTTP. Together with warm-path it
// tells where the time of /validate goes: transport (bare server), HTTP layer, or policy work.
import { openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject, it } from 'vitest';
import { defaultPolicy } from '../src/config/default-policy.js';
import { createLogger } from '../src/cli/logger.js';
import { createImageSource } from '../src/image-facts/create-image-source.js';
import { createMetrics } from '../src/metrics/index.js';
import { createReviewHandler } from '../src/webhook/review-handler.js';
import { admissionReview } from '../test/webhook/objects.js';
import { benchPod, machine, ROOT } from './support.js';

const REVIEWS = Number(process.env.BENCH_REVIEWS ?? 20_000);

it('handler cost per review (warm cache)', { timeout: 600_000 }, async () => {
  const { anonymous } = inject('registries');
  const pod = await benchPod(anonymous, 'handler');
  const text = JSON.stringify(admissionReview(pod));
  const results: Record<string, number> = {};
  const variants = {
    'full (info logs, metrics)': { level: 'info', metrics: true },
    'no logs': { level: 'silent', metrics: true },
    'no metrics': { level: 'info', metrics: false },
  };
  for (const [name, variant] of Object.entries(variants)) {
    const source = createImageSource({ insecureRegistries: [anonymous.host] });
    // The logger `slimguard serve` uses, writing to /dev/null.
    const { logger } = createLogger(variant.level, { fd: openSync('/dev/null', 'w') });
    const metrics = variant.metrics ? createMetrics() : undefined;
    const handle = createReviewHandler({ source, policy: () => defaultPolicy, logger, metrics });
    const context = () => ({ deadline: Date.now() + 9_000, signal: new AbortController().signal, requestId: 'bench' });
    for (let i = 0; i < 5_000; i += 1) await handle(JSON.parse(text), context());
    const started = performance.now();
    for (let i = 0; i < REVIEWS; i += 1) await handle(JSON.parse(text), context());
    results[name] = Number((((performance.now() - started) * 1000) / REVIEWS).toFixed(1));
    await source.close();
  }
  const parseStarted = performance.now();
  for (let i = 0; i < REVIEWS; i += 1) JSON.parse(text);
  results['JSON.parse of the review alone'] = Number((((performance.now() - parseStarted) * 1000) / REVIEWS).toFixed(1));
  writeFileSync(
    join(ROOT, 'bench', 'results', 'handler-cost.json'),
    `${JSON.stringify({ benchmark: 'handler-cost', machine: machine(), command: 'npm run bench -- bench/handler-cost.run.ts', reviews: REVIEWS, microsecondsPerReview: results }, null, 2)}\n`,
  );
  console.log('handler cost (µs per review):', results);
});
