/**
 * "checking 3/10 images…" on stderr while a run fetches many images, updated in place with a
 * carriage return and erased at the end. Only for a person at a terminal: when stderr is not a
 * TTY (CI logs, pipes, tests) nothing at all is written, so logs and parsers see no noise.
 */

/** The part of a stream progress needs; process.stderr fits (isTTY is true only at a terminal). */
export interface ProgressStream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** How many items the run will finish. */
  total: number;
  /** Fewer items than this finish quickly enough to need no progress. */
  minTotal?: number;
  /** What is counted, plural. */
  noun?: string;
}

export interface Progress {
  /** One more item finished. */
  advance(): void;
  /** Erases the progress line (call it before printing results). */
  finish(): void;
}

export const MIN_ITEMS_FOR_PROGRESS = 3;

// Back to column 0, then erase to the end of the line (ANSI EL), so a shorter text leaves no tail.
const REWRITE = '\r\u001b[K';

export function formatProgress(done: number, total: number, noun = 'images'): string {
  return `checking ${done}/${total} ${noun}…`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream, total } = options;
  const noun = options.noun ?? 'images';
  if (stream.isTTY !== true || total < (options.minTotal ?? MIN_ITEMS_FOR_PROGRESS)) {
    return { advance() {}, finish() {} };
  }
  let done = 0;
  let finished = false;
  stream.write(`${REWRITE}${formatProgress(done, total, noun)}`);
  return {
    advance() {
      if (finished || done >= total) return;
      done += 1;
      stream.write(`${REWRITE}${formatProgress(done, total, noun)}`);
    },
    finish() {
      if (finished) return;
      finished = true;
      stream.write(REWRITE);
    },
  };
}
