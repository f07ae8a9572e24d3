import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

/**
 * Lines are written in batches of about this many characters: 64 KiB, one Linux pipe buffer, so
 * one write syscall per ~150 decision lines.
 */
const BATCH_CHARS = 64 * 1024;

/** Values an info line carries: what JSON.stringify and pino write the same way. */
export type InfoLineValue = string | number | boolean | readonly string[] | undefined;

/**
 * Writes one info line shaped exactly as pino writes it (`level`, `time`, the logger's bindings,
 * the fields in order, `msg`), without pino's per-field serializer walk. For the one line per
 * review on the warm path; everything else goes through pino.
 */
export type InfoLineWriter = (fields: Readonly<Record<string, InfoLineValue>>, msg: string) => void;

const infoLineWriters = new WeakMap<Logger, InfoLineWriter>();

/**
 * The fast info-line writer of a logger made by createLogger, undefined for any other logger
 * (tests' loggers, pino({ enabled: false })): callers fall back to logger.info.
 */
export function infoLineWriterOf(logger: Logger): InfoLineWriter | undefined {
  return infoLineWriters.get(logger);
}

/**
 * JSON logs on stdout. One decision line per review adds up on the warm path, so lines are
 * batched instead of written one syscall each, and written every second and on exit, so a quiet
 * webhook's lines still show up promptly.
 *
 * A batch is written synchronously, as pino's own default destination writes every line. Handing
 * it to sonic-boom's asynchronous mode instead cost a thread-pool round trip per batch (a context
 * switch on a webhook held to one CPU) and a second UTF-8 encoding of the batch when the write
 * completed: measured under wrk side by side, 263 vs 251 and 311 vs 296 µs of CPU per review.
 * Before that, sonic-boom's own minLength buffer measured its growing buffer's UTF-8 length again
 * on every line (~9 % of the CPU per review). The exit handler writes the last batch the same way,
 * so the lines logged just before exit (shutdown, "webhook server stopped") are never lost.
 */
export function createLogger(level: string, options: { fd?: number } = {}): { logger: Logger; flush(): void } {
  // fd: stdout unless given (the handler-cost benchmark writes to /dev/null through the same path).
  const fd = options.fd ?? 1;
  let pending: string[] = [];
  let pendingChars = 0;
  const flush = () => {
    if (pending.length === 0) return;
    const batch = pending.join('');
    pending = [];
    pendingChars = 0;
    try {
      writeFullySync(fd, batch);
    } catch {
      // stdout closed, or full for a second: these lines cannot be saved, and the webhook must
      // keep answering rather than fail a review over its own log.
    }
  };
  const batched = {
    write(line: string) {
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= BATCH_CHARS) flush();
    },
  };
  const timer = setInterval(flush, 1_000);
  timer.unref();
  const logger = pino({ level }, batched);
  infoLineWriters.set(logger, createInfoLineWriter(logger, (line) => batched.write(line)));
  process.once('exit', flush);
  return { logger, flush };
}

/**
 * The line pino would write for logger.info(fields, msg), built with one JSON.stringify of the
 * (flat) fields: V8's native stringify of a small flat object costs a fraction of pino's
 * field-by-field walk (serializers, per-value type checks, one string concatenation per field).
 * The equality with pino's own line, byte for byte, is tested (logger.test.ts).
 */
function createInfoLineWriter(logger: Logger, write: (line: string) => void): InfoLineWriter {
  const level = logger.levels.values.info;
  // What pino appends after `time`: its base (pid, hostname) and bindings, already serialized as
  // `,"pid":1,"hostname":"h"` (pino.symbols is pino's public handle on it).
  const afterTime = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym] ?? '';
  return (fields, msg) => {
    if (!logger.isLevelEnabled('info')) return;
    const body = JSON.stringify(fields);
    const fieldsPart = body.length > 2 ? `,${body.slice(1, -1)}` : '';
    write(`{"level":${level},"time":${Date.now()}${afterTime}${fieldsPart},"msg":${JSON.stringify(msg)}}\n`);
  };
}

/** writeSync until every byte is out; a non-blocking pipe that is full (EAGAIN) is retried briefly. */
function writeFullySync(fd: number, text: string): void {
  let buffer = Buffer.from(text, 'utf8');
  let busyRetries = 0;
  while (buffer.length > 0) {
    try {
      buffer = buffer.subarray(writeSync(fd, buffer));
      busyRetries = 0;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || ++busyRetries > 100) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
}
