/**
 * Redaction for logs and debug output of registry traffic. Registry exchanges carry credentials
 * in headers (Basic/Bearer), token responses, and pre-signed blob-storage redirect URLs whose
 * query string is itself the credential (S3 X-Amz-Signature, Azure sig, GCS X-Goog-Signature).
 */

export const REDACTED = '<redacted>';

const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  // Docker Engine API: base64 JSON with username and password.
  'x-registry-auth',
  'x-amz-security-token',
]);

// Schemes worth keeping in front of a redacted Authorization value: they help debugging and are
// not secret. Anything else is redacted whole, in case the "scheme" is really the credential.
const KNOWN_AUTH_SCHEMES: ReadonlySet<string> = new Set(['basic', 'bearer', 'digest', 'negotiate', 'ntlm', 'aws4-hmac-sha256']);

export type HeaderInput =
  | Headers
  | Iterable<readonly [string, string]>
  | Record<string, string | readonly string[] | number | undefined | null>;

/** A plain copy of the headers with credential-bearing values replaced by `<redacted>`. */
export function redactHeaders(headers: HeaderInput): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of headerEntries(headers)) {
    if (value === undefined || value === null) continue;
    const lower = name.toLowerCase();
    const redact = SECRET_HEADERS.has(lower);
    const one = (item: string): string => (redact ? redactValue(lower, item) : item);
    result[name] = Array.isArray(value) ? value.map((item) => one(String(item))) : one(String(value));
  }
  return result;
}

function redactValue(lowerName: string, value: string): string {
  if (lowerName === 'authorization' || lowerName === 'proxy-authorization') {
    const match = /^([A-Za-z0-9-]+)\s+\S/.exec(value);
    if (match?.[1] !== undefined && KNOWN_AUTH_SCHEMES.has(match[1].toLowerCase())) return `${match[1]} ${REDACTED}`;
  }
  return REDACTED;
}

function headerEntries(headers: HeaderInput): Iterable<readonly [string, unknown]> {
  if (typeof (headers as Iterable<unknown>)[Symbol.iterator] === 'function') {
    return headers as Iterable<readonly [string, string]>;
  }
  return Object.entries(headers);
}

// Query parameter names that carry secrets, matched case-insensitively anywhere in the name:
// token, access_token, X-Amz-Security-Token, password, client_secret, X-Amz-Signature, sig,
// X-Goog-Credential, api_key, ...
const SECRET_PARAM = /token|passw|pwd|secret|sig|credential|key|auth|session|code/i;

/**
 * A URL safe to log: user info and fragment dropped, and the values of secret-looking query parameters replaced
 * by `<redacted>` (names are kept, they help debugging). Never throws: text that is not a URL
 * comes back as `<unparseable url>`, since it might still hold a secret.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return '<unparseable url>';
  }
  parsed.username = '';
  parsed.password = '';
  // Fragments never reach a registry, and OAuth puts access tokens there.
  parsed.hash = '';
  if (parsed.search.length > 1) {
    // Rebuilt by hand: URLSearchParams would re-encode every value and turn "<" into "%3C".
    const redacted = parsed.search
      .slice(1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        const rawName = eq < 0 ? pair : pair.slice(0, eq);
        if (eq < 0 || !SECRET_PARAM.test(decodeName(rawName))) return pair;
        return `${rawName}=${REDACTED}`;
      })
      .join('&');
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}?${redacted}`;
  }
  return parsed.href;
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}
