import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, type CommandRun } from '../harness/run-command.js';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

export type CliRun = CommandRun;

/** Runs the built CLI (`npm test` builds first) with the same Node that runs the tests. */
export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  return runCommand(process.execPath, [CLI, ...args], {
    env: { ...process.env, DOCKER_CONFIG: '/nonexistent-docker-config', ...options.env },
    input: options.input,
  });
}
