import { InvalidReferenceError } from './errors.js';
import { DEFAULT_TAG, familiarizeName } from './normalize.js';
import { isDigestFormat, isTag, matchAnchoredName } from './regexp.js';

/** Upstream RepositoryNameTotalLengthMax: applies to the path, not to the domain. */
export const MAX_PATH_LENGTH = 255;

/**
 * A parsed image reference (contract). From parseReference it is always normalized:
 * `nginx` → domain `docker.io`, path `library/nginx`.
 */
export interface Reference {
  /** `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`; '' only for non-normalized parses (parseRaw, withName). */
  readonly domain: string;
  /** Repository path inside the registry: `library/nginx`. */
  readonly path: string;
  /** `domain/path` (just `path` when there is no domain). */
  readonly name: string;
  readonly tag?: string;
  /** `algorithm:hex`, validated with go-digest rules when it came from a parse. */
  readonly digest?: string;
  /** The name as `docker` prints it: `nginx`, `bitnami/redis`, `ghcr.io/o/r`. */
  readonly familiarName: string;
  /** `name[:tag][@digest]`. */
  toString(): string;
  /** `familiarName[:tag][@digest]`. */
  familiarString(): string;
}

export interface ReferenceParts {
  domain: string;
  path: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

class ImageReference implements Reference {
  readonly domain: string;
  readonly path: string;
  readonly name: string;
  // `declare`: absent rather than an own property holding undefined, so references compare and
  // print cleanly.
  declare readonly tag?: string;
  declare readonly digest?: string;
  readonly familiarName: string;

  constructor(parts: ReferenceParts) {
    this.domain = parts.domain;
    this.path = parts.path;
    this.name = parts.domain === '' ? parts.path : `${parts.domain}/${parts.path}`;
    if (parts.tag !== undefined && parts.tag !== '') (this as { tag?: string }).tag = parts.tag;
    if (parts.digest !== undefined && parts.digest !== '') (this as { digest?: string }).digest = parts.digest;
    this.familiarName = familiarizeName(parts.domain, parts.path);
    Object.freeze(this);
  }

  toString(): string {
    return this.name + this.suffix();
  }

  familiarString(): string {
    return this.familiarName + this.suffix();
  }

  /** JSON (logs, CLI output) shows the reference as its string, like Go's reference.Field. */
  toJSON(): string {
    return this.toString();
  }

  private suffix(): string {
    return (this.tag === undefined ? '' : `:${this.tag}`) + (this.digest === undefined ? '' : `@${this.digest}`);
  }
}

/** Builds a reference from parts that are already valid. Parsing functions are the way in from text. */
export function createReference(parts: ReferenceParts): Reference {
  return new ImageReference(parts);
}

/** WithName: a reference with only a name (domain/path split as written, no normalization). */
export function withName(name: string): Reference {
  const match = matchAnchoredName(name);
  if (match === undefined) throw new InvalidReferenceError('REFERENCE_INVALID_FORMAT', name, { subject: 'name' });
  if (match.path.length > MAX_PATH_LENGTH) throw new InvalidReferenceError('NAME_TOO_LONG', name, { subject: 'name' });
  return createReference(match);
}

/** WithTag: `ref` with its tag set to `tag` (a digest is kept). */
export function withTag(ref: Reference, tag: string): Reference {
  if (!isTag(tag)) {
    throw new InvalidReferenceError('TAG_INVALID_FORMAT', tag, {
      subject: 'tag',
      detail: "invalid tag format: 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
    });
  }
  return createReference({ domain: ref.domain, path: ref.path, tag, digest: ref.digest });
}

/**
 * WithDigest: `ref` with its digest set to `digest` (a tag is kept). Like upstream it checks the
 * shape only (`algorithm:hex`, 32+ hex digits); use parseDigestString to validate fully.
 */
export function withDigest(ref: Reference, digest: string): Reference {
  if (!isDigestFormat(digest)) {
    throw new InvalidReferenceError('DIGEST_INVALID_FORMAT', digest, { subject: 'digest' });
  }
  return createReference({ domain: ref.domain, path: ref.path, tag: ref.tag, digest });
}

/** TagNameOnly: adds the `latest` tag to a reference that has neither a tag nor a digest. */
export function withDefaultTag(ref: Reference): Reference {
  if (ref.tag !== undefined || ref.digest !== undefined) return ref;
  return createReference({ domain: ref.domain, path: ref.path, tag: DEFAULT_TAG });
}

/** TrimNamed: the reference without its tag and digest. */
export function withoutTagOrDigest(ref: Reference): Reference {
  if (ref.tag === undefined && ref.digest === undefined) return ref;
  return createReference({ domain: ref.domain, path: ref.path });
}
