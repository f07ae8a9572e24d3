import { formatPlatform } from '../oci/platform.js';
import type { CheckResult } from './check-report.js';

export interface TextOptions {
  /** How many images were named; results can be more (several platforms each). Default: one per result. */
  images?: number;
}

/** Text for people: a line per image (and platform), a line per violation under it, then a summary. */
export function formatText(results: readonly CheckResult[], options: TextOptions = {}): string {
  const lines: string[] = [];
  const counts = { allow: 0, warn: 0, deny: 0, error: 0 };
  for (const result of results) {
    if ('error' in result) {
      counts.error += 1;
      // The message always starts with the image (see check-command.ts describeError).
      const platform = result.platform ? ` (platform ${formatPlatform(result.platform)})` : '';
      lines.push(`ERROR ${result.error.message}${platform}`);
      continue;
    }
    const { facts, verdict } = result.judgement;
    counts[verdict.decision] += 1;
    lines.push(`${verdict.decision.toUpperCase()} ${result.image} (${formatPlatform(facts.platform)}, ${facts.digest})`);
    for (const violation of verdict.violations) lines.push(`  ${violation.mode}: ${violation.message}`);
    for (const note of verdict.notes) lines.push(`  note: ${note}`);
  }
  const total = results.length;
  const images = options.images ?? total;
  const judged = images === total ? '' : `, ${total} result${total === 1 ? '' : 's'}`;
  lines.push(
    `${images} image${images === 1 ? '' : 's'}${judged}: ${counts.allow} allowed, ${counts.warn} warned, ${counts.deny} denied, ${counts.error} errors`,
  );
  return `${lines.join('\n')}\n`;
}
