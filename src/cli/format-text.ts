import { formatPlatform } from '../oci/platform.js';
import type { CheckResult } from './check-report.js';

/** Text for people: a line per image, a line per violation under it, then a summary. */
export function formatText(results: readonly CheckResult[]): string {
  const lines: string[] = [];
  const counts = { allow: 0, warn: 0, deny: 0, error: 0 };
  for (const result of results) {
    if ('error' in result) {
      counts.error += 1;
      // The message always starts with the image (see check-command.ts describeError).
      lines.push(`ERROR ${result.error.message}`);
      continue;
    }
    const { facts, verdict } = result.judgement;
    counts[verdict.decision] += 1;
    lines.push(`${verdict.decision.toUpperCase()} ${result.image} (${formatPlatform(facts.platform)}, ${facts.digest})`);
    for (const violation of verdict.violations) lines.push(`  ${violation.mode}: ${violation.message}`);
    for (const note of verdict.notes) lines.push(`  note: ${note}`);
  }
  const total = results.length;
  lines.push(
    `${total} image${total === 1 ? '' : 's'}: ${counts.allow} allowed, ${counts.warn} warned, ${counts.deny} denied, ${counts.error} errors`,
  );
  return `${lines.join('\n')}\n`;
}
