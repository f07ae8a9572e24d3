import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { parseWwwAuthenticate } from './challenge.js';
import { RegistryError } from './errors.js';
import type { HttpSender } from './http-sender.js';
import type { Credential } from './keychain.js';
import { MAX_TOKEN_RESPONSE_BYTES } from './limits.js';

/** How a registry asked to be authenticated, remembered so later requests skip the 401. */
type KnownScheme =
  | { scheme: 'anonymous' }
  | { scheme: 'basic' }
  | { scheme: 'bearer'; realm: URL; service?: string };

export interface AuthorizeRequest {
  registry: string;
  image?: string;
  /** `repository:library/nginx:pull` */
  scope: string;
  credential?: Credential;
  /** Plain-HTTP token realms are accepted only for registries the operator listed as insecure. */
  insecure: boolean;
  signal: AbortSignal;
}

export interface Authenticator {
  /** The Authorization header to send before any challenge, from what we learnt earlier. */
  authorize(request: AuthorizeRequest): Promise<string | undefined>;
  /** Handles a 401: learns the registry's scheme and returns the header to retry with. */
  answerChallenge(request: AuthorizeRequest, wwwAuthenticate: string | undefined): Promise<string>;
  /** Forgets a token the registry refused (it may have been revoked early). */
  forget(request: AuthorizeRequest): void;
}

export interface AuthenticatorOptions {
  sender: HttpSender;
  /** Registries and token scopes cached; a token is a few KiB. */
  maxTokens?: number;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/** Distribution token spec: tokens without expires_in live 60 s. */
const DEFAULT_TOKEN_LIFETIME_S = 60;
/** Renew a little early so a token never expires between our check and the registry's. */
const EXPIRY_MARGIN_MS = 10_000;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const schemes = new Map<string, KnownScheme>();
  const tokens = new LRUCache<string, CachedToken>({ max: options.maxTokens ?? 10_000 });

  function tokenKey(req: AuthorizeRequest): string {
    // Tokens are per credential: a token fetched with one pod's pull secret must never
    // serve a request made without it.
    return `${req.registry}\n${req.scope}\n${credentialFingerprint(req.credential)}`;
  }

  async function headerFor(req: AuthorizeRequest, known: KnownScheme): Promise<string | undefined> {
    switch (known.scheme) {
      case 'anonymous':
        return undefined;
      case 'basic':
        return basicHeader(req);
      case 'bearer': {
        const key = tokenKey(req);
        const cached = tokens.get(key);
        if (cached && cached.expiresAt > Date.now()) return cached.header;
        const fetched = await fetchToken(options.sender, req, known);
        tokens.set(key, fetched);
        return fetched.header;
      }
    }
  }

  return {
    async authorize(req) {
      const known = schemes.get(req.registry);
      if (!known) {
        // A registry token from the docker config needs no challenge at all.
        return req.credential?.registryToken ? `Bearer ${req.credential.registryToken}` : undefined;
      }
      return headerFor(req, known);
    },

    async answerChallenge(req, wwwAuthenticate) {
      const challenges = wwwAuthenticate ? parseWwwAuthenticate(wwwAuthenticate) : [];
      const bearer = challenges.find((c) => c.scheme === 'bearer');
      const basic = challenges.find((c) => c.scheme === 'basic');
      let known: KnownScheme;
      if (bearer?.params.realm) {
        known = { scheme: 'bearer', realm: parseRealm(bearer.params.realm, req), service: bearer.params.service };
      } else if (basic) {
        known = { scheme: 'basic' };
      } else {
        throw new RegistryError({
          code: 'UNAUTHORIZED',
          status: 401,
          registry: req.registry,
          image: req.image,
          temporary: false,
          what: `registry ${req.registry} refused access without a usable authentication challenge`,
        });
      }
      schemes.set(req.registry, known);
      this.forget(req);
      const header = await headerFor(req, known);
      if (!header) throw unauthorized(req);
      return header;
    },

    forget(req) {
      tokens.delete(tokenKey(req));
    },
  };
}

function basicHeader(req: AuthorizeRequest): string | undefined {
  const { credential } = req;
  if (credential?.username === undefined || credential.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`).toString('base64')}`;
}

function unauthorized(req: AuthorizeRequest): RegistryError {
  return new RegistryError({
    code: 'UNAUTHORIZED',
    status: 401,
    registry: req.registry,
    image: req.image,
    temporary: false,
    what: req.credential
      ? `registry ${req.registry} rejected the credentials slimguard has for it; check the pull secret or docker config for ${req.registry}`
      : `registry ${req.registry} requires authentication; add a pull secret or docker config entry for exactly ${req.registry}`,
  });
}

/** The realm decides where credentials go next, so it gets the same scrutiny as a registry URL. */
function parseRealm(realm: string, req: AuthorizeRequest): URL {
  let url: URL;
  try {
    url = new URL(realm);
  } catch (error) {
    throw new RegistryError({
      code: 'BAD_RESPONSE',
      registry: req.registry,
      image: req.image,
      temporary: false,
      what: `registry ${req.registry} announced an invalid token realm`,
      cause: error,
    });
  }
  const httpAllowed = url.protocol === 'http:' && req.insecure;
  if (url.protocol !== 'https:' && !httpAllowed) {
    throw new RegistryError({
      code: 'INSECURE_NOT_ALLOWED',
      registry: req.registry,
      image: req.image,
      temporary: false,
      what: `registry ${req.registry} announced token realm ${url.origin}, which is not HTTPS; refusing to send credentials there`,
    });
  }
  return url;
}

async function fetchToken(
  sender: HttpSender,
  req: AuthorizeRequest,
  known: { realm: URL; service?: string },
): Promise<CachedToken> {
  const url = new URL(known.realm);
  const { credential } = req;
  const headers: Record<string, string> = { accept: 'application/json' };
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  if (credential?.identityToken) {
    // Docker's OAuth2 flow: the identity token is a refresh token, sent in a form body.
    method = 'POST';
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: credential.identityToken,
      client_id: 'slimguard',
      scope: req.scope,
    });
    if (known.service) form.set('service', known.service);
    body = form.toString();
  } else {
    if (known.service) url.searchParams.set('service', known.service);
    url.searchParams.set('scope', req.scope);
    const basic = basicHeader(req);
    if (basic) headers.authorization = basic;
  }
  const what = `token for ${req.scope} from ${url.host}`;
  const response = await sender.send({
    url,
    method,
    headers,
    body,
    signal: req.signal,
    maxBytes: MAX_TOKEN_RESPONSE_BYTES,
    registry: req.registry,
    image: req.image,
    what,
  });
  if (response.status === 401 || response.status === 403) throw unauthorized(req);
  if (response.status !== 200) {
    throw new RegistryError({
      code: response.status === 429 || response.status >= 500 ? 'SERVER_ERROR' : 'BAD_RESPONSE',
      status: response.status,
      registry: req.registry,
      image: req.image,
      temporary: response.status === 429 || response.status >= 500,
      what: `${what} failed with HTTP ${response.status}`,
    });
  }
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(response.body).toString('utf8')) as typeof parsed;
  } catch (error) {
    throw new RegistryError({
      code: 'BAD_RESPONSE',
      registry: req.registry,
      image: req.image,
      temporary: false,
      what: `${what}: the answer is not JSON`,
      cause: error,
    });
  }
  const token = typeof parsed.token === 'string' ? parsed.token : parsed.access_token;
  if (typeof token !== 'string' || token === '') {
    throw new RegistryError({
      code: 'BAD_RESPONSE',
      registry: req.registry,
      image: req.image,
      temporary: false,
      what: `${what}: the answer has no token`,
    });
  }
  const lifetimeS =
    typeof parsed.expires_in === 'number' && parsed.expires_in > 0 ? parsed.expires_in : DEFAULT_TOKEN_LIFETIME_S;
  const expiresAt = Date.now() + Math.max(lifetimeS * 1000 - EXPIRY_MARGIN_MS, lifetimeS * 500);
  return { header: `Bearer ${token}`, expiresAt };
}

/** A stable, non-reversible name for a credential, for cache keys only. */
function credentialFingerprint(credential: Credential | undefined): string {
  if (!credential) return 'anonymous';
  return createHash('sha256')
    .update(JSON.stringify([credential.username, credential.password, credential.identityToken, credential.registryToken]))
    .digest('base64url');
}
