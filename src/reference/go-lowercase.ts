/**
 * Go's strings.ToLower, as far as reference parsing can tell the difference.
 *
 * Upstream decides "contains uppercase" versus "invalid format" by lower-casing the input and
 * matching again, so it matters which characters lower-case to ASCII. Go maps each rune with the
 * simple Unicode case mapping; JavaScript's toLowerCase uses the full mapping. The only character
 * that lower-cases to ASCII under one and not the other is U+0130 (İ): Go gives "i", JavaScript
 * "i̇" (i + combining dot). (U+212A KELVIN SIGN gives "k" in both.) Every other difference yields
 * non-ASCII text, which no part of the grammar accepts, and leaves the "did it change" answer alone.
 */
export function goToLower(text: string): string {
  return text.replaceAll('\u0130', 'i').toLowerCase();
}
