import { RegistryInputError } from './errors.js';

/** One challenge of a WWW-Authenticate header (RFC 9110 §11.6.1, formerly RFC 7235). */
export interface AuthChallenge {
  /** Lowercased: schemes are case-insensitive ("Bearer" and "bearer" are the same). */
  scheme: string;
  /** auth-params; names lowercased, quoted-string values unescaped. The first of a repeated name wins. */
  params: Record<string, string>;
  /** The token68 form (`Negotiate abc==`), when the challenge used it instead of params. */
  token68?: string;
}

// RFC 9110 tchar.
const TCHAR = /[!#$%&'*+\-.^_`|~0-9a-z]/i;
const TOKEN68_CHAR = /[a-z0-9\-._~+/]/i;

/**
 * Parses a WWW-Authenticate value, possibly holding several challenges:
 * `Basic realm="x", Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"`.
 * Never throws: the header comes from the registry, so malformed parts are skipped and a quoted
 * string left open runs to the end.
 */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  const text = header;
  let i = 0;
  let current: AuthChallenge | undefined;

  const skipSpaces = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < text.length && TCHAR.test(text[i] ?? '')) i++;
    return text.slice(start, i);
  };
  // RFC 9110 allows only a token unquoted; servers also send bare URLs (realm=https://...), so
  // take everything up to the next separator.
  const readBareValue = (): string => {
    const start = i;
    while (i < text.length && text[i] !== ',' && text[i] !== ' ' && text[i] !== '\t' && text[i] !== '"') i++;
    return text.slice(start, i);
  };
  const readQuoted = (): string => {
    // Caller stands on the opening quote.
    i++;
    let value = '';
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (ch === '\\' && i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
        continue;
      }
      if (ch === '"') {
        i++;
        return value;
      }
      value += ch;
      i++;
    }
    return value;
  };
  const skipToComma = (): void => {
    while (i < text.length && text[i] !== ',') {
      if (text[i] === '"') readQuoted();
      else i++;
    }
  };

  while (i < text.length) {
    skipSpaces();
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (i >= text.length) break;
    const tokenStart = i;
    const token = readToken();
    if (token === '') {
      // Garbage where a scheme or param name should be: drop the element.
      i = Math.max(i, tokenStart + 1);
      skipToComma();
      continue;
    }
    const afterToken = i;
    skipSpaces();
    if (text[i] === '=' && current !== undefined) {
      // auth-param: token BWS "=" BWS ( token / quoted-string )
      i++;
      skipSpaces();
      const value = text[i] === '"' ? readQuoted() : readBareValue();
      const name = token.toLowerCase();
      if (!(name in current.params) && current.token68 === undefined) current.params[name] = value;
      skipSpaces();
      if (i < text.length && text[i] !== ',') skipToComma();
      continue;
    }
    if (text[i] === '=' && current === undefined) {
      // A parameter before any scheme: malformed, skip it.
      i++;
      skipSpaces();
      if (text[i] === '"') readQuoted();
      skipToComma();
      continue;
    }
    // A new challenge: the token is its scheme.
    i = afterToken;
    current = { scheme: token.toLowerCase(), params: Object.create(null) as Record<string, string> };
    challenges.push(current);
    skipSpaces();
    const token68 = readToken68At(text, i);
    if (token68 !== undefined) {
      current.token68 = token68.value;
      i = token68.end;
    }
  }
  // Plain objects for callers (the null prototype only guarded against "__proto__" params).
  return challenges.map((challenge) => ({ ...challenge, params: { ...challenge.params } }));
}

/** token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=", alone in its element. */
function readToken68At(text: string, start: number): { value: string; end: number } | undefined {
  let i = start;
  while (i < text.length && TOKEN68_CHAR.test(text[i] ?? '')) i++;
  if (i === start) return undefined;
  while (text[i] === '=') i++;
  const value = text.slice(start, i);
  let end = i;
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  // "realm=..." also starts like a token68; it is one only when its list element ends right after.
  if (end < text.length && text[end] !== ',') return undefined;
  return { value, end };
}

const REPOSITORY_PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const ACTION = /^(?:[a-z]+|\*)$/;

/**
 * The token scope for a repository (distribution token auth): `repository:library/nginx:pull`.
 * Validates the path and actions, since a space or colon in either would smuggle another scope
 * into the space-separated scope list of the token request.
 */
export function repositoryScope(path: string, actions: readonly string[] = ['pull']): string {
  // distribution caps a whole name at 255 characters; the cap also bounds the regex's work.
  if (path.length > 255 || !REPOSITORY_PATH.test(path)) {
    throw new RegistryInputError({
      code: 'INVALID_REPOSITORY_PATH',
      message: `invalid repository path ${JSON.stringify(path.slice(0, 256))}: expected lowercase path components like library/nginx`,
    });
  }
  if (actions.length === 0 || !actions.every((action) => ACTION.test(action))) {
    throw new RegistryInputError({
      code: 'INVALID_REPOSITORY_PATH',
      message: `invalid scope actions ${JSON.stringify(actions)}: expected words like pull or push`,
    });
  }
  return `repository:${path}:${actions.join(',')}`;
}
