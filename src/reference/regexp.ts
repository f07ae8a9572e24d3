/**
 * The reference grammar of github.com/distribution/reference (regexp.go), piece by piece:
 *
 *   reference        := name [ ":" tag ] [ "@" digest ]
 *   name             := [domain '/'] remote-name
 *   domain           := host [':' port-number]
 *   host             := domain-name | IPv4address | \[ IPv6address \]
 *   domain-name      := domain-component ['.' domain-component]*
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   port-number      := /[0-9]+/
 *   path-component   := alpha-numeric [separator alpha-numeric]*
 *   remote-name      := path-component ['/' path-component]*
 *   alpha-numeric    := /[a-z0-9]+/
 *   separator        := /[_.]|__|[-]+/
 *   tag              := /[\w][\w.-]{0,127}/
 *   digest           := /[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}/
 *   identifier       := /[a-f0-9]{64}/
 *
 * The pattern sources below are built exactly like upstream's, so they can be compared with it.
 * Go's regexp engine is linear-time; JavaScript's backtracks. So whole references are never run
 * through one big regexp here: `matchReference` and `matchAnchoredName` cut the text at the only
 * places the grammar allows ('@', the ':' after the last '/', the first '/') and test each piece
 * with its own anchored regexp, each of which is linear on any input. The result is the same match
 * (and the same submatches, under Go's leftmost-first rules) as upstream's ReferenceRegexp and
 * anchoredNameRegexp; regexp.test.ts checks that against the upstream-shaped regexps.
 */

// --- pattern sources, as in upstream regexp.go ----------------------------------------------

/** Lower-case letters and digits: the atom of path components. */
const alphanumeric = '[a-z0-9]+';

/** One period, one or two underscores, or any number of dashes. */
const separator = '(?:[._]|__|[-]+)';

const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';

const optionalPort = '(?::[0-9]+)?';

/** Upstream: `[\w][\w.-]{0,127}` (\w is ASCII-only in both Go and JavaScript without the u flag). */
const tag = '[\\w][\\w.-]{0,127}';

/** Upstream: `...[:][[:xdigit:]]{32,}`. */
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';

const identifier = '([a-f0-9]{64})';

/** Bracketed IPv6 without zone identifiers; IPv4-mapped forms are excluded on purpose upstream. */
const ipv6address = '\\[(?:[a-fA-F0-9:]+)\\]';

const domainName = domainNameComponent + anyTimes('\\.' + domainNameComponent);

const host = '(?:' + domainName + '|' + ipv6address + ')';

const domainAndPort = host + optionalPort;

const pathComponent = alphanumeric + anyTimes(separator + alphanumeric);

const remoteName = pathComponent + anyTimes('/' + pathComponent);

const namePat = optional(domainAndPort + '/') + remoteName;

/** Upstream pattern sources, for documentation and for the equivalence tests. */
export const GRAMMAR = Object.freeze({
  alphanumeric,
  separator,
  domainNameComponent,
  optionalPort,
  tag,
  digestPat,
  identifier,
  ipv6address,
  domainName,
  host,
  domainAndPort,
  pathComponent,
  remoteName,
  namePat,
  anchoredNamePat: anchored(optional(capture(domainAndPort), '/'), capture(remoteName)),
  referencePat: anchored(capture(namePat), optional(':', capture(tag)), optional('@', capture(digestPat))),
});

function optional(...parts: string[]): string {
  return '(?:' + parts.join('') + ')?';
}

function anyTimes(...parts: string[]): string {
  return '(?:' + parts.join('') + ')*';
}

function capture(...parts: string[]): string {
  return '(' + parts.join('') + ')';
}

function anchored(...parts: string[]): string {
  return '^' + parts.join('') + '$';
}

// --- linear matchers ---------------------------------------------------------------------------

// Each of these is anchored and its repetitions are separated by mandatory delimiters ('.', a
// separator, ':'), so a failed match backtracks a bounded number of steps per character.
const ANCHORED_DOMAIN_AND_PORT = new RegExp(anchored(domainAndPort));
const ANCHORED_PATH_COMPONENT = new RegExp(anchored(pathComponent));
const ANCHORED_TAG = new RegExp(anchored(tag));
const ANCHORED_DIGEST = new RegExp(anchored(digestPat));
const ANCHORED_IDENTIFIER = new RegExp(anchored(identifier));

/** `^domainAndPort$`: a host name, IPv4 or bracketed IPv6 address, with an optional port. */
export function isDomainAndPort(text: string): boolean {
  return ANCHORED_DOMAIN_AND_PORT.test(text);
}

/** `^pathComponent$`: one component of a repository path, such as `library` or `my-app`. */
export function isPathComponent(text: string): boolean {
  return ANCHORED_PATH_COMPONENT.test(text);
}

/** `^remoteName$`: path components joined by single slashes. */
export function isRemoteName(text: string): boolean {
  return text.split('/').every(isPathComponent);
}

/** `^tag$` (anchoredTagRegexp). */
export function isTag(text: string): boolean {
  return ANCHORED_TAG.test(text);
}

/** `^digestPat$` (anchoredDigestRegexp): the digest *shape* references accept; see digest.ts for validation. */
export function isDigestFormat(text: string): boolean {
  return ANCHORED_DIGEST.test(text);
}

/** `^[a-f0-9]{64}$` (anchoredIdentifierRegexp): an image ID without its `sha256:` prefix. */
export function isIdentifier(text: string): boolean {
  return ANCHORED_IDENTIFIER.test(text);
}

export interface NameMatch {
  /** The domain, or '' when the first component cannot be one. */
  domain: string;
  path: string;
}

/**
 * anchoredNameRegexp.FindStringSubmatch: `^(?:(domainAndPort)/)?(remoteName)$`. Go prefers the
 * optional domain group, so the first component is the domain whenever it can be one.
 */
export function matchAnchoredName(text: string): NameMatch | undefined {
  // A domain never contains '/', and must be followed by one: it can only be the first component.
  const slash = text.indexOf('/');
  if (slash !== -1) {
    const domain = text.slice(0, slash);
    const path = text.slice(slash + 1);
    if (isDomainAndPort(domain) && isRemoteName(path)) return { domain, path };
  }
  return isRemoteName(text) ? { domain: '', path: text } : undefined;
}

export interface ReferenceMatch {
  /** The name as written (domain included). */
  name: string;
  /** '' when absent (a tag is never empty). */
  tag: string;
  /** '' when absent. */
  digest: string;
}

/** ReferenceRegexp.FindStringSubmatch: `^(namePat)(?::(tag))?(?:@(digestPat))?$`. */
export function matchReference(text: string): ReferenceMatch | undefined {
  // Nothing but the digest separator may contain '@', so the first '@' starts the digest; a
  // second '@' fails the digest pattern.
  let nameAndTag = text;
  let digest = '';
  const at = text.indexOf('@');
  if (at !== -1) {
    nameAndTag = text.slice(0, at);
    digest = text.slice(at + 1);
    if (!isDigestFormat(digest)) return undefined;
  }
  // Neither a tag nor a path component contains ':' or '/', and the domain (which may contain
  // ':') always ends at a '/': only a ':' after the last '/' can start the tag.
  let name = nameAndTag;
  let tagText = '';
  const colon = nameAndTag.indexOf(':', nameAndTag.lastIndexOf('/') + 1);
  if (colon !== -1) {
    name = nameAndTag.slice(0, colon);
    tagText = nameAndTag.slice(colon + 1);
    if (!isTag(tagText)) return undefined;
  }
  if (matchAnchoredName(name) === undefined) return undefined;
  return { name, tag: tagText, digest };
}
