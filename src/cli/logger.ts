import { writeSync } from 'node:fs';
import pino, { type Logger } from 'pino';

/**
 * Lines are handed to the stdout writer in batches of about this many characters. 64 KiB (one
 * Linux pipe buffer): each hand-over costs a string join, an asynchronous fs.write through the
 * thread pool and sonic-boom's re-encoding of the written string, about the same whatever the
 * size, so fewer, larger batches cost the warm path less (measured under wrk: 16 KiB batches
 * were ~12 µs per review in all).
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
 * batched instead of written one syscall each, and flushed every second and on exit, so a quiet
 * webhook's lines still show up promptly.
 *
 * The batching sits in front of sonic-boom (pino's writer, which keeps the EAGAIN handling and the
 * synchronous flush on exit) rather than in its minLength buffer: sonic-boom appends every line to
 * its last buffer and measures that buffer's UTF-8 length again on each write, which flattens and
 * copies up to 16 KiB per line. Measured under wrk, that and one write syscall per 4 KiB were ~9%
 * of the server's CPU per review; collecting lines in an array and joining them once per batch
 * costs a push per line.
 */
export function createLogger(level: string, options: { fd?: number } = {}): { logger: Logger; flush(): void } {
  // fd: stdout unless given (the handler-cost benchmark writes to /dev/null through the same path).
  const destination = pino.destination({ dest: options.fd ?? 1, sync: false });
  let pending: string[] = [];
  let pendingChars = 0;
  const handOver = () => {
    if (pending.length === 0) return;
    const batch = pending.join('');
    pending = [];
    pendingChars = 0;
    destination.write(batch);
  };
  const batched = {
    write(line: string) {
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= BATCH_CHARS) handOver();
    },
  };
  const timer = setInterval(() => {
    handOver();
    destination.flush();
  }, 1_000);
  timer.unref();
  const logger = pino({ level }, batched);
  infoLineWriters.set(logger, createInfoLineWriter(logger, (line) => batched.write(line)));
  const fd = options.fd ?? 1;
  // At exit nothing may go through an asynchronous write: the process ends before the thread
  // pool runs it, and the last lines (shutdown, "webhook server stopped") would be lost. So
  // sonic-boom's own buffer is flushed synchronously first, then the pending batch is written
  // synchronously behind it, in order.
  const flush = () => {
    const batch = pending.join('');
    pending = [];
    pendingChars = 0;
    try {
      destination.flushSync();
      if (batch.length > 0) writeFullySync(fd, batch);
    } catch {
      // stdout already gone: nothing to save.
    }
  };
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
