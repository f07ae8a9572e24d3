import { goToLower } from './go-lowercase.js';

/**
 * Docker Hub conventions of distribution/reference (normalize.go): which first component is a
 * registry, and how familiar names ("ubuntu") map to full ones ("docker.io/library/ubuntu").
 */

/** Docker Hub's domain in normalized names (its registry API actually lives at registry-1.docker.io). */
export const DEFAULT_DOMAIN = 'docker.io';

/** The old "Docker Index" domain; normalized to DEFAULT_DOMAIN. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';

/** Namespace of Docker Hub's official images. */
export const OFFICIAL_REPO_PREFIX = 'library/';

/** The tag a name-only reference means. */
export const DEFAULT_TAG = 'latest';

/** Always a domain, even without a '.' or a port. */
const LOCALHOST = 'localhost';

/**
 * splitDockerDomain: splits `name` (which may still carry `:tag` and `@digest`) into a domain and
 * the rest. The first component is a domain when it is `localhost`, contains '.' or ':', or has
 * upper-case letters (paths never do); otherwise the domain is Docker Hub. On Docker Hub a
 * single-component path gets `library/`.
 */
export function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash === -1) {
    // A single element ("ubuntu", "ubuntu:latest") is always a Docker Hub official image, never a
    // bare "host:port" (upstream FIXME: bare "localhost" is not treated as a domain either).
    return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  }
  const maybeDomain = name.slice(0, slash);
  const maybeRemainder = name.slice(slash + 1);

  let domain: string;
  let remainder: string;
  if (maybeDomain === LOCALHOST) {
    domain = maybeDomain;
    remainder = maybeRemainder;
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    domain = DEFAULT_DOMAIN;
    remainder = maybeRemainder;
  } else if (maybeDomain.includes('.') || maybeDomain.includes(':')) {
    domain = maybeDomain;
    remainder = maybeRemainder;
  } else if (goToLower(maybeDomain) !== maybeDomain) {
    domain = maybeDomain;
    remainder = maybeRemainder;
  } else {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  }

  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) {
    remainder = OFFICIAL_REPO_PREFIX + remainder;
  }
  return { domain, remainder };
}

/**
 * familiarizeName: the name as `docker` shows it. Drops the Docker Hub domain, and `library/` from
 * official images (only when nothing follows but one component: "library/foo/bar" stays).
 */
export function familiarizeName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return domain === '' ? path : `${domain}/${path}`;
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const remainder = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!remainder.includes('/')) return remainder;
  }
  return path;
}
