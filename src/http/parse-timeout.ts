/**
 * The API server tells the webhook how long it will wait: `POST /validate?timeout=10s`, the
 * webhook's timeoutSeconds formatted as a Go duration (Go's time.Duration.String, so `30s`, `1m0s`,
 * `1.5s`, `500ms`). This file turns that into the deadline the review handler must meet.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign, what Go prints
  'μs': 1e-3, // U+03BC Greek mu, which Go also accepts
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const TERM = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/**
 * Milliseconds of a Go duration string (time.ParseDuration syntax: an optional sign, then one or
 * more number+unit terms such as `1m30s`; a bare `0` is allowed), or undefined when it is not one.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0' || text === '+0' || text === '-0') return 0;
  let sign = 1;
  let position = 0;
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1;
    position = 1;
  }
  if (position >= text.length) return undefined;
  let total = 0;
  while (position < text.length) {
    TERM.lastIndex = position;
    const match = TERM.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    position = TERM.lastIndex;
  }
  return Number.isFinite(total) ? sign * total : undefined;
}

export interface ReviewBudgetOptions {
  /** The raw `timeout` query parameter, or undefined when absent. */
  timeoutParam: string | undefined;
  /** Kept back from the timeout so the answer travels back before the API server gives up. */
  deadlineMarginMs: number;
  /** Used when the parameter is absent, unparsable or not positive: the API server's default, 10 s. */
  defaultTimeoutMs: number;
  /** timeoutSeconds cannot exceed 30 in admissionregistration/v1, so a larger value is clamped. */
  maxTimeoutMs: number;
}

export interface ReviewBudget {
  /** How long the API server waits for this request. */
  timeoutMs: number;
  /** How long the handler has, from the start of the request: timeout minus the margin. */
  budgetMs: number;
}

/**
 * The time a review may take. The margin is never more than half the timeout, so a 1 s timeout
 * with a 1 s margin still leaves the handler 500 ms rather than nothing. An unusable parameter
 * falls back to the default instead of failing the request: the API server is waiting either way,
 * and answering late is better than refusing.
 */
export function reviewBudget(options: ReviewBudgetOptions): ReviewBudget {
  const parsed = options.timeoutParam === undefined ? undefined : parseGoDuration(options.timeoutParam);
  const requested = parsed === undefined || parsed <= 0 ? options.defaultTimeoutMs : parsed;
  const timeoutMs = Math.min(requested, options.maxTimeoutMs);
  const marginMs = Math.min(Math.max(options.deadlineMarginMs, 0), timeoutMs / 2);
  return { timeoutMs, budgetMs: timeoutMs - marginMs };
}

/**
 * The `timeout` query parameter of a request target such as `/validate?timeout=10s`, without the
 * cost of a URL object on every review.
 */
export function timeoutQueryParam(requestTarget: string): string | undefined {
  const query = requestTarget.indexOf('?');
  if (query === -1) return undefined;
  const params = new URLSearchParams(requestTarget.slice(query + 1));
  return params.get('timeout') ?? undefined;
}
