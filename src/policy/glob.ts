/**
 * A tiny glob for image references and namespace names:
 *   `*`  any run of characters within one path segment (never a `/`),
 *   `**` any run of characters across segments,
 *   `?`  one character other than `/`.
 * Everything else is literal. The whole text must match.
 */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '*') {
      if (pattern[index + 1] === '*') {
        source += '.*';
        index += 1;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

// Policies are small and evaluated on every admission: compile each pattern once.
const compiled = new Map<string, RegExp>();
const CACHE_LIMIT = 1000;

export function matchesGlob(pattern: string, text: string): boolean {
  let regexp = compiled.get(pattern);
  if (!regexp) {
    regexp = globToRegExp(pattern);
    if (compiled.size >= CACHE_LIMIT) compiled.clear();
    compiled.set(pattern, regexp);
  }
  return regexp.test(text);
}

export function matchesAnyGlob(patterns: readonly string[], text: string): boolean {
  return patterns.some((pattern) => matchesGlob(pattern, text));
}
