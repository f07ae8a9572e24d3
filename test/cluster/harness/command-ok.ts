// runCommand (test/harness/run-command.ts) for commands that must succeed: a non-zero exit is an
// error naming the command and carrying what it printed.
import { runCommand, type CommandRun } from '../../harness/run-command.js';

export type { CommandRun };

export async function runCommandOk(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<string> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw Object.assign(new Error(`${command} ${args.join(' ')} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`), {
      code: 'COMMAND_FAILED',
      result,
    });
  }
  return result.stdout;
}
