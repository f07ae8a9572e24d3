import { quoteInput } from './errors.js';
import { isDigestFormat, isDomainAndPort, isPathComponent, isTag } from './regexp.js';

const FORMAT = 'invalid reference format';

// The whole input is already quoted in the message; a part of it needs less room.
const quotePart = (text: string): string => quoteInput(text, 64);

/**
 * Says which part of a reference breaks the grammar, for the message of a
 * REFERENCE_INVALID_FORMAT error (upstream only says "invalid reference format"). Diagnostic
 * only: whether the text is valid is decided by matchReference, never here.
 */
export function explainInvalidFormat(text: string): string {
  let nameAndTag = text;
  const at = text.indexOf('@');
  if (at !== -1) {
    const digest = text.slice(at + 1);
    if (digest.includes('@')) return `${FORMAT}: more than one '@'`;
    if (!isDigestFormat(digest)) {
      return `${FORMAT}: digest ${quotePart(digest)} is not algorithm:hex with at least 32 hex digits`;
    }
    nameAndTag = text.slice(0, at);
  }

  let name = nameAndTag;
  const colon = nameAndTag.indexOf(':', nameAndTag.lastIndexOf('/') + 1);
  if (colon !== -1) {
    const tag = nameAndTag.slice(colon + 1);
    if (!isTag(tag)) {
      return `${FORMAT}: tag ${quotePart(tag)} must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'`;
    }
    name = nameAndTag.slice(0, colon);
  }
  if (name === '') return `${FORMAT}: the repository name is missing`;

  let components = name.split('/');
  const first = components[0] ?? '';
  if (components.length > 1 && looksLikeRegistry(first)) {
    if (!isDomainAndPort(first)) return `${FORMAT}: registry ${quotePart(first)} is not a valid host[:port]`;
    components = components.slice(1);
  }
  for (const component of components) {
    if (component === '') return `${FORMAT}: empty path component (a repeated or trailing '/')`;
    if (!isPathComponent(component)) {
      return `${FORMAT}: path component ${quotePart(component)} must be lower-case letters and digits, separated by '.', '_', '__' or dashes`;
    }
  }
  return FORMAT;
}

/** What the writer most likely meant as a registry (the same signals splitDockerDomain uses). */
function looksLikeRegistry(component: string): boolean {
  return component === 'localhost' || /[.:[\]A-Z]/.test(component);
}
