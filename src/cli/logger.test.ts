import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import pino from 'pino';
import { createLogger, infoLineWriterOf } from './logger.js';

function loggerToFile(level: string) {
  const file = join(mkdtempSync(join(tmpdir(), 'slimguard-logger-')), 'out.log');
  const { logger, flush } = createLogger(level, { fd: openSync(file, 'w') });
  const lines = () => {
    flush();
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  };
  return { logger, lines };
}

/** The time is the only field that may differ between two lines written a moment apart. */
const withoutTime = (line: string) => line.replace(/^\{"level":30,"time":\d+,/, '{"level":30,"time":0,');

it('writes the same line as pino does, byte for byte apart from the time', () => {
  const { logger, lines } = loggerToFile('info');
  const write = infoLineWriterOf(logger);
  expect(write).toBeDefined();
  const cases: Record<string, string | number | boolean | string[] | undefined>[] = [
    { uid: 'u-1', namespace: 'team-a', kind: 'Pod', name: undefined, dryRun: false, decision: 'deny', durationMs: 3, rules: ['runAsRoot', 'sizeBudget'] },
    { reason: 'quote " backslash \\ newline \n tab \t unicode é ✓ \u2028 control \u0001', empty: '', rules: [] },
    {},
  ];
  for (const fields of cases) {
    logger.info(fields, 'admission decision');
    write!(fields, 'admission decision');
  }
  const written = lines();
  expect(written).toHaveLength(cases.length * 2);
  for (let i = 0; i < cases.length; i++) {
    const [byPino, byWriter] = [written[2 * i]!, written[2 * i + 1]!];
    expect(withoutTime(byWriter)).toBe(withoutTime(byPino));
    expect(JSON.parse(byWriter)).toMatchObject({ level: 30, pid: process.pid, msg: 'admission decision' });
  }
});

it('carries child bindings, and writes nothing when info is not enabled', () => {
  const quiet = loggerToFile('warn');
  infoLineWriterOf(quiet.logger)!({ uid: 'x' }, 'admission decision');
  quiet.logger.warn('only this');
  expect(quiet.lines().map((line) => JSON.parse(line).msg)).toEqual(['only this']);

  const { logger, lines } = loggerToFile('info');
  const child = logger.child({ component: 'webhook' });
  // A child is another pino object: it has no fast writer of its own, callers fall back to info().
  expect(infoLineWriterOf(child)).toBeUndefined();
  infoLineWriterOf(logger)!({ uid: 'y' }, 'm');
  expect(JSON.parse(lines()[0]!)).toMatchObject({ uid: 'y', msg: 'm', hostname: expect.any(String) });
});

it('has no fast writer for loggers it did not make', () => {
  expect(infoLineWriterOf(pino({ enabled: false }))).toBeUndefined();
});

it('keeps going when stdout is gone: the lines are dropped, nothing throws', () => {
  const fd = openSync(join(mkdtempSync(join(tmpdir(), 'slimguard-logger-')), 'gone.log'), 'w');
  closeSync(fd);
  const { logger, flush } = createLogger('info', { fd });
  // More than one batch, so a write is attempted while logging, not only by flush().
  for (let i = 0; i < 400; i++) logger.info({ i, pad: 'x'.repeat(200) }, 'line');
  expect(() => flush()).not.toThrow();
  logger.error('still usable');
  expect(() => flush()).not.toThrow();
});
