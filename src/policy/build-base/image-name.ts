/**
 * A lenient split of an image name as it appears in annotations, provenance materials and policy
 * files ("golang:1.22", "docker.io/library/golang:1.22@sha256:…", "gcr.io/distroless/static").
 * It never throws: detection must work on whatever text an image carries.
 */
export interface ImageName {
  /** Registry host, lower case; "docker.io" for Docker Hub. */
  registry: string;
  /** Repository path on that registry, lower case ("library/golang", "distroless/static-debian12"). */
  path: string;
  tag?: string;
  digest?: string;
  /** What `docker` prints: "golang", "bitnami/redis", "gcr.io/distroless/static-debian12". */
  familiarRepository: string;
  /** registry/path: "docker.io/library/golang". */
  repository: string;
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

// Pull-through mirrors of Docker Hub's official images: their content is the official image, so
// "public.ecr.aws/docker/library/golang" is classified as "golang".
const OFFICIAL_MIRRORS: readonly string[] = ['public.ecr.aws/docker/library/', 'mirror.gcr.io/library/', 'mirror.gcr.io/'];

export function parseImageName(text: string): ImageName {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  rest = rest.toLowerCase();
  for (const mirror of OFFICIAL_MIRRORS) {
    if (rest.startsWith(mirror) && !rest.slice(mirror.length).includes('/')) {
      rest = rest.slice(mirror.length);
      break;
    }
  }

  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : 'docker.io';
  let path = hasRegistry ? rest.slice(slash + 1) : rest;
  if (DOCKER_HUB_ALIASES.has(registry)) registry = 'docker.io';
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;

  const familiarRepository =
    registry === 'docker.io' ? (path.startsWith('library/') && path.split('/').length === 2 ? path.slice(8) : path) : `${registry}/${path}`;
  const name: ImageName = { registry, path, familiarRepository, repository: `${registry}/${path}` };
  if (tag !== undefined && tag !== '') name.tag = tag;
  if (digest !== undefined && digest !== '') name.digest = digest;
  return name;
}

/** "golang:1.22", "gcr.io/distroless/static-debian12", "golang@sha256:…" (familiar, tag kept). */
export function familiarName(name: ImageName): string {
  if (name.tag !== undefined) return `${name.familiarRepository}:${name.tag}`;
  if (name.digest !== undefined) return `${name.familiarRepository}@${name.digest}`;
  return name.familiarRepository;
}

/** The tag's dash-separated words, lower case: "3.12-slim-bookworm" → ["3.12", "slim", "bookworm"]. */
export function tagTokens(tag: string | undefined): string[] {
  return (tag ?? '').toLowerCase().split(/[-_]/).filter((token) => token !== '');
}
