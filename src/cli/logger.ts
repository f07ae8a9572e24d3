import pino, { type Logger } from 'pino';

/**
 * JSON logs on stdout. One decision line per review adds up on the warm path, so lines are
 * buffered (4 KiB) instead of written one syscall each, and flushed every second and on exit,
 * so a quiet webhook's lines still show up promptly.
 */
export function createLogger(level: string): { logger: Logger; flush(): void } {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const timer = setInterval(() => destination.flush(), 1_000);
  timer.unref();
  const logger = pino({ level }, destination);
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // Nothing buffered, or stdout already gone: nothing to save.
    }
  };
  process.once('exit', flush);
  return { logger, flush };
}
