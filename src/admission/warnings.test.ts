import { describe, expect, it } from 'vitest';
import { ELLIPSIS, limitWarnings, sanitizeText, truncateText, utf8ByteLength, WARNING_MAX_CHARS, WARNINGS_MAX_TOTAL_BYTES } from './warnings.js';

// What the API server refuses in a warning: unicode.IsControl (C0, DEL, C1).
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const codePoints = (text: string): number => [...text].length;

describe('sanitizeText', () => {
  it('turns control characters into spaces and collapses them', () => {
    expect(sanitizeText('[runAsRoot] a\tb\u0000c\u001b[31mred\u007f\u0085end')).toBe('[runAsRoot] a b c [31mred end');
  });

  it('joins lines unless asked to keep them', () => {
    expect(sanitizeText('one\r\ntwo\nthree\r')).toBe('one two three');
    expect(sanitizeText('one\r\n  two  \nthree\u0007', { keepNewlines: true })).toBe('one\ntwo\nthree');
  });

  it('replaces lone surrogates, so the text encodes to valid UTF-8', () => {
    const text = sanitizeText('bad \uD800 and \uDC00 good 😀');
    expect(text).toBe('bad \uFFFD and \uFFFD good 😀');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(new TextEncoder().encode(text))).toBe(text);
  });

  it('drops bidirectional overrides that could disguise an image name', () => {
    expect(sanitizeText('evil\u202Egnp.exe\u2066x\u2069')).toBe('evilgnp.exex');
  });

  it('keeps printable non-ASCII text', () => {
    expect(sanitizeText('Iñtërnâtiônàlizætiøn ≥ 300 MB — ok')).toBe('Iñtërnâtiônàlizætiøn ≥ 300 MB — ok');
  });
});

describe('truncateText', () => {
  it('leaves short text alone', () => {
    expect(truncateText('abc', 3)).toBe('abc');
  });

  it('cuts to the limit with an ellipsis as the last character', () => {
    const text = truncateText('x'.repeat(300), 256);
    expect(codePoints(text)).toBe(256);
    expect(text.endsWith(ELLIPSIS)).toBe(true);
  });

  it('counts code points, never splitting a surrogate pair', () => {
    const text = truncateText('😀'.repeat(10), 5);
    expect(text).toBe(`${'😀'.repeat(4)}${ELLIPSIS}`);
  });
});

describe('limitWarnings', () => {
  it('cuts a 300-character warning to 256 characters ending in an ellipsis', () => {
    const [warning] = limitWarnings([`[sizeBudget] ${'y'.repeat(300)}`]);
    expect(codePoints(warning!)).toBe(WARNING_MAX_CHARS);
    expect(warning!.endsWith(ELLIPSIS)).toBe(true);
    expect(warning!.startsWith('[sizeBudget] yyy')).toBe(true);
  });

  it('drops duplicates, also those that become equal once cleaned or cut, and empty ones', () => {
    const long = 'z'.repeat(400);
    expect(limitWarnings(['a', 'b', 'a', 'a\n', ' ', '', `${long}1`, `${long}2`])).toEqual(['a', 'b', truncateText(long, 256)]);
  });

  it('keeps 40 ordinary warnings within 4096 bytes and says how many it left out', () => {
    // About 150 bytes each: 40 of them are 6000 bytes, more than the API server passes on.
    const warnings = Array.from(
      { length: 40 },
      (_, i) => `[sizeBudget] registry.example.com/team/service-${String(i).padStart(2, '0')}:1.0 is 612 MB compressed, budget 500 MB; largest layer 410 MB (RUN apt-get install)`,
    );
    const limited = limitWarnings(warnings);
    const total = limited.reduce((sum, w) => sum + utf8ByteLength(w), 0);
    expect(total).toBeLessThanOrEqual(WARNINGS_MAX_TOTAL_BYTES);
    const shown = limited.length - 1;
    expect(shown).toBeGreaterThan(20);
    expect(shown).toBeLessThan(40);
    expect(limited.slice(0, shown)).toEqual(warnings.slice(0, shown));
    expect(limited.at(-1)).toBe(`[slimguard] ${40 - shown} more warnings not shown (the API server limits warnings to 4 KiB)`);
  });

  it('sends everything when it fits', () => {
    const warnings = Array.from({ length: 40 }, (_, i) => `warning ${i}`);
    expect(limitWarnings(warnings)).toEqual(warnings);
  });

  it('counts bytes, not characters, against the total', () => {
    const warnings = Array.from({ length: 20 }, (_, i) => `${i} ${'€'.repeat(100)}`); // ~303 bytes each
    const limited = limitWarnings(warnings);
    expect(limited.reduce((sum, w) => sum + utf8ByteLength(w), 0)).toBeLessThanOrEqual(WARNINGS_MAX_TOTAL_BYTES);
    expect(limited.at(-1)).toMatch(/^\[slimguard\] \d+ more warnings not shown/);
  });

  it('never sends a control character or a line break', () => {
    const limited = limitWarnings(['a\nb', 'c\u0000d', '\u009be']);
    expect(limited).toEqual(['a b', 'c d', 'e']);
    for (const warning of limited) expect(warning).not.toMatch(CONTROL);
  });

  it('honours smaller limits', () => {
    expect(limitWarnings(['abcdef', 'ghijkl'], { maxChars: 4, maxTotalBytes: 1000 })).toEqual([`abc${ELLIPSIS}`, `ghi${ELLIPSIS}`]);
  });
});
