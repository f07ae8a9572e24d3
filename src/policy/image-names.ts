import { matchesAnyGlob } from './glob.js';

const DOCKER_HUB = 'docker.io/';
const OFFICIAL = 'library/';

/**
 * The familiar form of a normalized reference, as `docker` prints it:
 * docker.io/library/nginx:1.27 -> nginx:1.27, docker.io/bitnami/redis -> bitnami/redis.
 * Other registries are kept as they are.
 */
export function familiarReference(reference: string): string {
  if (!reference.startsWith(DOCKER_HUB)) return reference;
  const rest = reference.slice(DOCKER_HUB.length);
  if (rest.startsWith(OFFICIAL)) {
    const remainder = rest.slice(OFFICIAL.length);
    // library/ is hidden only for one-segment official names (library/nginx, not library/a/b).
    if (!repositoryName(remainder).includes('/')) return remainder;
  }
  return rest;
}

/** The reference without its tag and digest: ghcr.io/o/app:1.0@sha256:... -> ghcr.io/o/app. */
export function repositoryName(reference: string): string {
  const at = reference.indexOf('@');
  const withoutDigest = at === -1 ? reference : reference.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  // A colon before the last slash is a registry port (localhost:5000/app), not a tag.
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

/**
 * Whether any image glob matches the reference. A glob is tried against the normalized form
 * (docker.io/library/nginx:1.27) and the familiar form (nginx:1.27), and, so that a pattern
 * naming a repository covers all its tags, against both forms without tag and digest
 * (docker.io/library/nginx, nginx).
 */
export function matchesImage(patterns: readonly string[], reference: string): boolean {
  const familiar = familiarReference(reference);
  const candidates = new Set([reference, familiar, repositoryName(reference), repositoryName(familiar)]);
  for (const candidate of candidates) {
    if (matchesAnyGlob(patterns, candidate)) return true;
  }
  return false;
}
