export { clientErrorStatus, HttpError, TlsLoadError, type HttpErrorCode } from './errors.js';
export {
  createWebhookServer,
  type Readiness,
  type ReviewContext,
  type ReviewDoneEvent,
  type ReviewHandler,
  type ShutdownOptions,
  type ShutdownResult,
  type WebhookServer,
  type WebhookServerOptions,
} from './webhook-server.js';
export {
  createTlsReloader,
  readTlsMaterial,
  type TlsFiles,
  type TlsMaterial,
  type TlsReloader,
  type TlsReloaderOptions,
  type TlsReloadStats,
} from './tls-reloader.js';
export { DEFAULT_MAX_BODY_BYTES, isJsonContentType, readJsonBody } from './read-json-body.js';
export { parseGoDuration, reviewBudget, timeoutQueryParam, type ReviewBudget, type ReviewBudgetOptions } from './parse-timeout.js';
export { createConcurrencyLimit, type ConcurrencyLimit } from './concurrency-limit.js';
export {
  createMetricsServer,
  type MetricsRequestHandler,
  type MetricsServer,
  type MetricsServerOptions,
  type MetricsSource,
} from './metrics-server.js';
export { statusBody } from './status-body.js';
