// Pushes a built image or index to a harness registry over plain HTTP, the way `docker push`
// does: blobs first (HEAD to skip those present, else a monolithic POST + PUT upload), then
// the child manifests by digest, then the top manifest by tag (or by digest without a tag).
// Meant for the anonymous registry; pass `authorization` for another one.
import { request } from 'undici';
import { blobsOf, manifestsOf, type Blob, type Built } from './oci-image-builder.js';

export interface PushTarget {
  /** `127.0.0.1:PORT` */
  host: string;
}

export interface PushOptions {
  /** A full Authorization header value, e.g. `Basic ...` or `Bearer ...`. */
  authorization?: string;
}

export class PushError extends Error {
  readonly code = 'PUSH_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PushError';
  }
}

async function send(
  method: 'HEAD' | 'POST' | 'PUT',
  url: string,
  options: PushOptions,
  body?: { bytes: Uint8Array; contentType: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const headers: Record<string, string> = {};
  if (options.authorization) headers.authorization = options.authorization;
  if (body) {
    headers['content-type'] = body.contentType;
    headers['content-length'] = String(body.bytes.length);
  }
  const response = await request(url, { method, headers, ...(body ? { body: Buffer.from(body.bytes) } : {}) });
  const text = method === 'HEAD' ? '' : await response.body.text();
  if (method === 'HEAD') await response.body.dump();
  return { status: response.statusCode, headers: response.headers, text };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function pushBlob(base: string, repository: string, blob: Blob, options: PushOptions): Promise<void> {
  const head = await send('HEAD', `${base}/v2/${repository}/blobs/${blob.digest}`, options);
  if (head.status === 200) return;
  const start = await send('POST', `${base}/v2/${repository}/blobs/uploads/`, options);
  const location = header(start.headers, 'location');
  if (start.status !== 202 || !location) {
    throw new PushError(`starting the upload of ${blob.digest} to ${repository}: HTTP ${start.status} ${start.text}`);
  }
  const uploadUrl = new URL(location, base);
  uploadUrl.searchParams.set('digest', blob.digest);
  const put = await send('PUT', uploadUrl.toString(), options, { bytes: blob.bytes, contentType: 'application/octet-stream' });
  if (put.status !== 201) throw new PushError(`uploading ${blob.digest} to ${repository}: HTTP ${put.status} ${put.text}`);
}

async function pushManifest(base: string, repository: string, reference: string, manifest: Blob, options: PushOptions): Promise<void> {
  const put = await send('PUT', `${base}/v2/${repository}/manifests/${reference}`, options, {
    bytes: manifest.bytes,
    contentType: manifest.mediaType,
  });
  if (put.status !== 201) {
    throw new PushError(`putting manifest ${repository}:${reference}: HTTP ${put.status} ${put.text}`);
  }
  const digest = header(put.headers, 'docker-content-digest');
  if (digest !== manifest.digest) {
    throw new PushError(`registry stored ${repository}:${reference} as ${digest}, expected ${manifest.digest}`);
  }
}

/** Pushes `built` to `repository` (tagged `tag` when given) and returns the top manifest digest. */
export async function pushImage(
  registry: PushTarget | string,
  repository: string,
  tag: string | undefined,
  built: Built,
  options: PushOptions = {},
): Promise<string> {
  const host = typeof registry === 'string' ? registry : registry.host;
  const base = `http://${host}`;
  for (const blob of blobsOf(built)) await pushBlob(base, repository, blob, options);
  const manifests = manifestsOf(built);
  const top = manifests[manifests.length - 1]!;
  for (const child of manifests.slice(0, -1)) await pushManifest(base, repository, child.digest, child, options);
  await pushManifest(base, repository, tag ?? top.digest, top, options);
  return top.digest;
}
