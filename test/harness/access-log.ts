// Reads the access log of a harness registry (combined log format, one line per request, on
// the registry's stdout) so a test can count the requests its code really made. The log is
// shared by every test file that uses the registry: take accessLogSize() before, read with
// `since` after, and filter by a repository name only your test uses.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface AccessLogEntry {
  method: string;
  /** The request path without its query, e.g. /v2/team/app/manifests/latest */
  path: string;
  /** The request URI as logged, query included. */
  uri: string;
  status: number;
  /** Response body bytes as the registry counted them. */
  bytes: number;
  userAgent: string;
  /** The timestamp as logged, e.g. 23/Nov/2026:12:14:22 +0000 */
  time: string;
}

export interface AccessLogFilter {
  /** Only requests on this repository (manifests, blobs, tags); `team/app` does not match `team/app/sub`. */
  repository?: string;
  /** Byte offset to start at, from accessLogSize() taken earlier. */
  since?: number;
}

// 127.0.0.1 - - [23/Nov/2026:12:14:22 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"
const COMBINED_LINE = /^\S+ \S+ \S+ \[([^\]]+)\] "(\S+) (\S+) [^"]*" (\d{3}) (\d+|-) "(?:[^"\\]|\\.)*" "((?:[^"\\]|\\.)*)"/;

export function parseAccessLogLine(line: string): AccessLogEntry | undefined {
  const match = COMBINED_LINE.exec(line);
  if (!match) return undefined;
  const uri = match[3]!;
  const query = uri.indexOf('?');
  return {
    method: match[2]!,
    path: query >= 0 ? uri.slice(0, query) : uri,
    uri,
    status: Number(match[4]),
    bytes: match[5] === '-' ? 0 : Number(match[5]),
    userAgent: match[6]!,
    time: match[1]!,
  };
}

/** True when `path` addresses `repository` itself, not a repository nested under it. */
export function isRepositoryPath(path: string, repository: string): boolean {
  const prefix = `/v2/${repository}/`;
  if (!path.startsWith(prefix)) return false;
  return /^(manifests|blobs|tags|referrers)\//.test(path.slice(prefix.length));
}

export function accessLogSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

export function readAccessLog(path: string, filter: AccessLogFilter = {}): AccessLogEntry[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path).subarray(filter.since ?? 0).toString('utf8');
  const entries: AccessLogEntry[] = [];
  for (const line of text.split('\n')) {
    const entry = parseAccessLogLine(line);
    if (!entry) continue;
    if (filter.repository !== undefined && !isRepositoryPath(entry.path, filter.repository)) continue;
    entries.push(entry);
  }
  return entries;
}

/**
 * Waits until the log has not grown for `quietMs`. The registry writes each line as it ends a
 * request, normally before the client has the whole answer; this covers the rare late line.
 */
export async function waitForLogQuiet(path: string, options: { quietMs?: number; timeoutMs?: number } = {}): Promise<void> {
  const quietMs = options.quietMs ?? 100;
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  let size = accessLogSize(path);
  let stableSince = Date.now();
  while (Date.now() - stableSince < quietMs) {
    if (Date.now() > deadline) throw new Error(`${path} kept growing for ${options.timeoutMs ?? 5_000} ms`);
    await sleep(20);
    const now = accessLogSize(path);
    if (now !== size) {
      size = now;
      stableSince = Date.now();
    }
  }
}

/** Polls until `until(entries)` holds for the filtered entries, and returns them; throws on timeout. */
export async function waitForAccessLog(
  path: string,
  until: (entries: AccessLogEntry[]) => boolean,
  options: AccessLogFilter & { timeoutMs?: number } = {},
): Promise<AccessLogEntry[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 5_000);
  for (;;) {
    const entries = readAccessLog(path, options);
    if (until(entries)) return entries;
    if (Date.now() > deadline) {
      throw new Error(`access log ${path} never matched; last entries:\n${entries.slice(-10).map((e) => `${e.method} ${e.uri} ${e.status}`).join('\n')}`);
    }
    await sleep(20);
  }
}
