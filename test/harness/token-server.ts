// A small token server after the distribution token spec
// (https://distribution.github.io/distribution/spec/auth/token/ and .../oauth/): the real
// docker-registry in token mode sends clients here, and verifies what we sign against the
// certificate we hand it as `rootcertbundle`. GET (Basic auth) and POST (OAuth2 password and
// refresh_token grants) both work. Every request is recorded, in memory and as JSON lines in
// a file, so tests in other processes can count them; a password is never recorded.
import { generateKeyPairSync, randomBytes, randomUUID, sign, timingSafeEqual, type KeyObject } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';
import { TEST_CREDENTIALS, type Credentials } from './test-credentials.js';

/** What a registry needs in its `auth.token` section to trust this server. */
export interface TokenAuthSettings {
  realm: string;
  service: string;
  issuer: string;
  rootCertBundlePath: string;
}

export interface ResourceActions {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequestRecord {
  seq: number;
  time: string;
  method: string;
  /** `GET` answers Basic auth, `password` and `refresh_token` are the OAuth2 POST grants. */
  grantType: 'basic' | 'password' | 'refresh_token' | 'unsupported';
  service: string | undefined;
  /** The scopes as the client sent them, e.g. `repository:team/app:pull`. */
  scopes: string[];
  /** Whether the client presented any credential (Authorization header, password or refresh token). */
  authPresented: boolean;
  username?: string;
  authenticated: boolean;
  clientId?: string;
  offline: boolean;
  granted: ResourceActions[];
  status: number;
}

export interface StartTokenServerOptions {
  service?: string;
  issuer?: string;
  credentials?: Credentials;
  /** Token lifetime in seconds (default 300). distribution 2.8 adds 60 s of leeway to `exp`. */
  expiresIn?: number;
  /** Actions on repositories for the authenticated user (default pull and push). */
  userActions?: string[];
  /** Actions on repositories for anonymous clients (default none: they get a token without access). */
  anonymousActions?: string[];
  /** Where the certificate bundle and the request log go; default a new temp dir, removed by stop(). */
  workDir?: string;
}

export interface RunningTokenServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  /** The token endpoint the registry names in its challenge. */
  realm: string;
  service: string;
  issuer: string;
  certificatePem: string;
  rootCertBundlePath: string;
  /** JSON lines, one TokenRequestRecord per request; read with readTokenLog. */
  logPath: string;
  registryAuth: TokenAuthSettings;
  records: TokenRequestRecord[];
  stop(): Promise<void>;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

function makeSigningCertificate(issuer: string): { privateKey: KeyObject; certificatePem: string; certificateDerBase64: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  certificate.serialNumber = `01${randomBytes(8).toString('hex')}`;
  certificate.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  certificate.validity.notAfter = new Date(Date.now() + 7 * 24 * 60 * 60 * 1000);
  const subject = [{ name: 'commonName', value: issuer }];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  // Self-signed and its own root: the registry verifies the x5c leaf against this very bundle.
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(
    forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
    forge.md.sha256.create(),
  );
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes();
  return {
    privateKey,
    certificatePem: forge.pki.certificateToPem(certificate),
    certificateDerBase64: Buffer.from(der, 'binary').toString('base64'),
  };
}

/** `repository:team/app:pull,push` -> type, name, actions. Names may hold colons (host:port). */
export function parseScope(scope: string): ResourceActions | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  const type = scope.slice(0, first).replace(/\(.*\)$/, ''); // drop a resource class: repository(plugin)
  return { type, name: scope.slice(first + 1, last), actions: scope.slice(last + 1).split(',').filter(Boolean) };
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('token request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startTokenServer(options: StartTokenServerOptions = {}): Promise<RunningTokenServer> {
  const service = options.service ?? 'slimguard-test-registry';
  const issuer = options.issuer ?? 'slimguard-test-token-issuer';
  const credentials = options.credentials ?? TEST_CREDENTIALS;
  const expiresIn = options.expiresIn ?? 300;
  const userActions = options.userActions ?? ['pull', 'push'];
  const anonymousActions = options.anonymousActions ?? [];
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'slimguard-token-server-'));
  mkdirSync(workDir, { recursive: true });
  const rootCertBundlePath = join(workDir, 'token-root.pem');
  const logPath = join(workDir, 'token-requests.jsonl');

  const { privateKey, certificatePem, certificateDerBase64 } = makeSigningCertificate(issuer);
  writeFileSync(rootCertBundlePath, certificatePem);
  writeFileSync(logPath, '');

  const records: TokenRequestRecord[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token -> username
  let seq = 0;

  function grant(scopes: string[], authenticated: boolean): ResourceActions[] {
    const allowed = authenticated ? userActions : anonymousActions;
    const granted: ResourceActions[] = [];
    for (const scope of scopes) {
      const parsed = parseScope(scope);
      if (!parsed || parsed.type !== 'repository') continue;
      const actions = parsed.actions.includes('*') ? allowed : parsed.actions.filter((action) => allowed.includes(action));
      if (actions.length > 0) granted.push({ type: parsed.type, name: parsed.name, actions: [...new Set(actions)] });
    }
    return granted;
  }

  function signToken(subject: string, audience: string, access: ResourceActions[]): { token: string; issuedAt: Date } {
    const issuedAt = new Date();
    const now = Math.floor(issuedAt.getTime() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certificateDerBase64] };
    const claims = { iss: issuer, sub: subject, aud: audience, exp: now + expiresIn, nbf: now - 1, iat: now, jti: randomUUID(), access };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(signingInput), privateKey); // RS256 = RSASSA-PKCS1-v1_5 + SHA-256
    return { token: `${signingInput}.${base64url(signature)}`, issuedAt };
  }

  function record(entry: Omit<TokenRequestRecord, 'seq' | 'time'>): void {
    const full: TokenRequestRecord = { seq: ++seq, time: new Date().toISOString(), ...entry };
    records.push(full);
    // Synchronous on purpose: the line is on disk before the client sees the answer.
    appendFileSync(logPath, `${JSON.stringify(full)}\n`);
  }

  function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const bytes = Buffer.from(JSON.stringify(body));
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(bytes.length), ...headers });
    response.end(bytes);
  }

  const unauthorized = { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://token.invalid');
    if (url.pathname !== '/token') return send(response, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] });

    if (request.method === 'GET') {
      const scopes = url.searchParams.getAll('scope').flatMap((scope) => scope.split(' ')).filter(Boolean);
      const requestedService = url.searchParams.get('service') ?? undefined;
      const offline = url.searchParams.get('offline_token') === 'true';
      const clientId = url.searchParams.get('client_id') ?? undefined;
      const authorization = request.headers.authorization;
      const base = { method: 'GET', grantType: 'basic' as const, service: requestedService, scopes, offline, ...(clientId ? { clientId } : {}) };
      if (requestedService !== undefined && requestedService !== service) {
        record({ ...base, authPresented: authorization !== undefined, authenticated: false, granted: [], status: 400 });
        return send(response, 400, { errors: [{ code: 'INVALID_REQUEST', message: `unknown service ${requestedService}` }] });
      }
      let username: string | undefined;
      if (authorization !== undefined) {
        const match = /^Basic\s+(\S+)$/i.exec(authorization);
        const decoded = match ? Buffer.from(match[1]!, 'base64').toString('utf8') : '';
        const colon = decoded.indexOf(':');
        const user = colon >= 0 ? decoded.slice(0, colon) : '';
        const password = colon >= 0 ? decoded.slice(colon + 1) : '';
        if (!match || !safeEqual(user, credentials.username) || !safeEqual(password, credentials.password)) {
          record({ ...base, authPresented: true, ...(user ? { username: user } : {}), authenticated: false, granted: [], status: 401 });
          return send(response, 401, unauthorized, { 'WWW-Authenticate': `Basic realm="${issuer}"` });
        }
        username = user;
      }
      const authenticated = username !== undefined;
      const granted = grant(scopes, authenticated);
      const { token, issuedAt } = signToken(username ?? '', service, granted);
      const body: Record<string, unknown> = { token, access_token: token, expires_in: expiresIn, issued_at: issuedAt.toISOString() };
      if (offline && username !== undefined) {
        const refreshToken = randomBytes(24).toString('base64url');
        refreshTokens.set(refreshToken, username);
        body.refresh_token = refreshToken;
      }
      record({ ...base, authPresented: authorization !== undefined, ...(username ? { username } : {}), authenticated, granted, status: 200 });
      return send(response, 200, body);
    }

    if (request.method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      const grantType = form.get('grant_type');
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const requestedService = form.get('service') ?? undefined;
      const clientId = form.get('client_id') ?? undefined;
      const offline = form.get('access_type') === 'offline';
      const base = { method: 'POST', service: requestedService, scopes, offline, ...(clientId ? { clientId } : {}) };
      let username: string | undefined;
      if (grantType === 'password') {
        const user = form.get('username') ?? '';
        const password = form.get('password') ?? '';
        if (!safeEqual(user, credentials.username) || !safeEqual(password, credentials.password)) {
          record({ ...base, grantType: 'password', authPresented: form.has('password'), ...(user ? { username: user } : {}), authenticated: false, granted: [], status: 401 });
          return send(response, 401, { error: 'invalid_grant', error_description: 'bad username or password' });
        }
        username = user;
      } else if (grantType === 'refresh_token') {
        username = refreshTokens.get(form.get('refresh_token') ?? '');
        if (username === undefined) {
          record({ ...base, grantType: 'refresh_token', authPresented: form.has('refresh_token'), authenticated: false, granted: [], status: 401 });
          return send(response, 401, { error: 'invalid_grant', error_description: 'unknown refresh token' });
        }
      } else {
        record({ ...base, grantType: 'unsupported', authPresented: false, authenticated: false, granted: [], status: 400 });
        return send(response, 400, { error: 'unsupported_grant_type' });
      }
      if (requestedService !== undefined && requestedService !== service) {
        record({ ...base, grantType, authPresented: true, username, authenticated: true, granted: [], status: 400 });
        return send(response, 400, { error: 'invalid_request', error_description: `unknown service ${requestedService}` });
      }
      const granted = grant(scopes, true);
      const { token, issuedAt } = signToken(username, service, granted);
      const body: Record<string, unknown> = {
        access_token: token,
        scope: scopes.join(' '),
        expires_in: expiresIn,
        issued_at: issuedAt.toISOString(),
      };
      if (grantType === 'refresh_token') body.refresh_token = form.get('refresh_token');
      else if (offline) {
        const refreshToken = randomBytes(24).toString('base64url');
        refreshTokens.set(refreshToken, username);
        body.refresh_token = refreshToken;
      }
      record({ ...base, grantType, authPresented: true, username, authenticated: true, granted, status: 200 });
      return send(response, 200, body);
    }

    send(response, 405, { errors: [{ code: 'UNSUPPORTED', message: 'method not allowed' }] });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { errors: [{ code: 'UNKNOWN', message: String(error) }] });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const realm = `${url}/token`;

  return {
    url,
    realm,
    service,
    issuer,
    certificatePem,
    rootCertBundlePath,
    logPath,
    registryAuth: { realm, service, issuer, rootCertBundlePath },
    records,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (options.workDir === undefined) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Byte size of a token request log, to read only the records that come after it. */
export function tokenLogSize(path: string): number {
  return statSync(path).size;
}

/**
 * The records of a token request log (written by startTokenServer), from byte offset `since`,
 * optionally only those asking for a scope on `repository`.
 */
export function readTokenLog(path: string, filter: { since?: number; repository?: string } = {}): TokenRequestRecord[] {
  const text = readFileSync(path).subarray(filter.since ?? 0).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TokenRequestRecord)
    .filter(
      (entry) =>
        filter.repository === undefined || entry.scopes.some((scope) => parseScope(scope)?.name === filter.repository),
    );
}
