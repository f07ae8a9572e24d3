// The serve logger batches lines and writes them asynchronously; the lines logged last (shutdown,
// "webhook server stopped") must still reach stdout when the process ends right after them. Runs
// the built logger in child processes that exit as soon as their event loop is empty, as
// `slimguard serve` does after SIGTERM.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const LOGGER = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'cli', 'logger.js')).href;

// 1,200 lines of ~200 characters span several 64 KiB batches; the last one is logged on the last tick.
const CHILD = `
import { createLogger } from ${JSON.stringify(LOGGER)};
const { logger } = createLogger('info');
for (let i = 0; i < 1200; i++) logger.info({ i, pad: 'x'.repeat(160) }, 'line');
setImmediate(() => logger.info({ last: true }, 'webhook server stopped'));
`;

it('writes every line, the last included, when the process exits right after logging', async () => {
  const runs = await Promise.all(
    Array.from({ length: 12 }, () => run(process.execPath, ['--input-type=module', '-e', CHILD], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })),
  );
  for (const { stdout } of runs) {
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { msg: string; i?: number });
    expect(lines).toHaveLength(1201);
    expect(lines.filter((l) => l.msg === 'line').map((l) => l.i)).toEqual(Array.from({ length: 1200 }, (_, i) => i));
    expect(lines.at(-1)).toMatchObject({ msg: 'webhook server stopped', last: true });
  }
});
