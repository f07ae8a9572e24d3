// AdmissionResponse.warnings within what the API server passes on. Its warning recorder
// (k8s.io/apiserver pkg/endpoints/filters/warning.go) drops duplicates, and once the warnings
// exceed 4096 runes in total cuts every one of them to 256 runes without a mark; a warning with a
// control character (unicode.IsControl) or invalid UTF-8 is dropped silently
// (apimachinery net.NewWarningHeader). So slimguard sends at most 256 characters each, marks
// what it cut, stays under 4096 bytes in total (bytes >= runes) and sends only clean text.

/** Longest warning, in Unicode code points (the API server's truncateItemRunes). */
export const WARNING_MAX_CHARS = 256;
/** Budget for all warnings together, in UTF-8 bytes (the API server allows 4096 runes). */
export const WARNINGS_MAX_TOTAL_BYTES = 4096;
export const ELLIPSIS = '…';

export interface WarningLimits {
  maxChars: number;
  maxTotalBytes: number;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
// C0, DEL and C1: exactly Go's unicode.IsControl, which the API server refuses in a warning.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/g;
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g;
// Bidirectional overrides and isolates: allowed by the API server, but they let a crafted image
// name make a terminal show a different text than the one sent.
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

/**
 * Text from the request (image names, container names) or from registries made safe to show:
 * valid UTF-16 (hence valid UTF-8 once encoded), no control or bidi characters (a newline is kept
 * with keepNewlines, every other one becomes a space), runs of blanks collapsed, ends trimmed.
 */
export function sanitizeText(text: string, options: { keepNewlines?: boolean } = {}): string {
  const clean = text
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(BIDI_CONTROL, '')
    .replace(/\r\n?/g, '\n')
    .replace(options.keepNewlines === true ? CONTROL_EXCEPT_NEWLINE : CONTROL, ' ');
  return clean
    .split('\n')
    .map((line) => line.replace(/ {2,}/g, ' ').trim())
    .join('\n')
    .trim();
}

/** Number of Unicode code points (Go runes) in `text`. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/** Bytes of `text` in UTF-8, computed without an encoder. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
  }
  return bytes;
}

/** `text` cut to at most `maxChars` code points, the last one an ellipsis when something was cut. */
export function truncateText(text: string, maxChars: number): string {
  if (codePointLength(text) <= maxChars) return text;
  if (maxChars <= 0) return '';
  const kept = Array.from(text).slice(0, maxChars - 1).join('').trimEnd();
  return `${kept}${ELLIPSIS}`;
}

/**
 * The warnings to send: sanitized to one clean line each, empty ones dropped, each cut to
 * maxChars, duplicates dropped (first one kept), and as many as fit in maxTotalBytes in order;
 * when some do not fit, the last one says how many were left out.
 */
export function limitWarnings(warnings: readonly string[], limits: Partial<WarningLimits> = {}): string[] {
  const maxChars = limits.maxChars ?? WARNING_MAX_CHARS;
  const maxTotalBytes = limits.maxTotalBytes ?? WARNINGS_MAX_TOTAL_BYTES;
  const unique: string[] = [];
  const seen = new Set<string>();
  for (const warning of warnings) {
    const line = truncateText(sanitizeText(warning), maxChars);
    if (line === '' || seen.has(line)) continue;
    seen.add(line);
    unique.push(line);
  }

  const sizes = unique.map(utf8ByteLength);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  if (total <= maxTotalBytes) return unique;

  // Keep the first warnings (the builder puts the most important first) and leave room for a last
  // line that says how many were left out.
  let kept = unique.length - 1;
  let used = total - (sizes[kept] ?? 0);
  while (kept > 0 && used + utf8ByteLength(omittedSummary(unique.length - kept)) > maxTotalBytes) {
    kept -= 1;
    used -= sizes[kept] ?? 0;
  }
  const summary = omittedSummary(unique.length - kept);
  return [...unique.slice(0, kept), truncateText(summary, maxChars)];
}

function omittedSummary(count: number): string {
  return `[slimguard] ${count} more warning${count === 1 ? '' : 's'} not shown (the API server limits warnings to 4 KiB)`;
}
