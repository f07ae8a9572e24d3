// A long-running child process (etcd, kube-apiserver) that cannot outlive the test run:
// - stop() sends SIGTERM, then SIGKILL after a grace period;
// - a process 'exit' handler SIGKILLs it when the test process ends without calling stop();
// - a watchdog (`sh`, in its own session) holds the read end of a pipe from this process and
//   kills the child when that pipe closes, which happens however this process dies, SIGKILL and
//   OOM included, when no 'exit' handler runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';

export interface StartProcessOptions {
  /** Names the process in messages. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr both go here (appended), straight from the child, not through us. */
  logPath: string;
  env?: NodeJS.ProcessEnv;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (ENOENT, EACCES). */
  error?: Error;
}

export interface ManagedProcess {
  name: string;
  pid: number | undefined;
  logPath: string;
  /** Resolves when the process has exited (or failed to start). */
  exited: Promise<ProcessExit>;
  isRunning(): boolean;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

// Waits on the pipe (EOF once the parent is gone), then TERM, up to 5 s, then KILL.
const WATCHDOG_SCRIPT = [
  'read -r _ || true',
  'kill -TERM "$1" 2>/dev/null || exit 0',
  'i=0; while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  'kill -KILL "$1" 2>/dev/null || true',
].join('\n');

function startWatchdog(pid: number): ChildProcess {
  const watchdog = spawn('sh', ['-c', WATCHDOG_SCRIPT, 'slimguard-watchdog', String(pid)], {
    // Its own session: a Ctrl-C to the test's process group must not take the watchdog with it.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the watchdog nor its pipe may keep the test process alive.
  watchdog.unref();
  (watchdog.stdin as Socket | null)?.unref();
  watchdog.on('error', () => {});
  return watchdog;
}

export function logTail(path: string, lines = 40): string {
  if (!existsSync(path)) return '(no log)';
  return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

export function startManagedProcess(options: StartProcessOptions): ManagedProcess {
  const log = openSync(options.logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(options.command, options.args, { stdio: ['ignore', log, log], env: options.env ?? process.env });
  } finally {
    closeSync(log);
  }

  let exit: ProcessExit | undefined;
  const exited = new Promise<ProcessExit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
    });
    child.once('error', (error) => {
      // 'error' without 'exit' means it never ran.
      if (child.pid === undefined) {
        exit = { code: null, signal: null, error };
        resolve(exit);
      }
    });
  });

  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid);
  const killOnExit = (): void => {
    if (exit === undefined) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  async function stop(graceMs = 10_000): Promise<void> {
    stopping ??= (async () => {
      // The watchdog first: once we stop the child ourselves, its pid must not be signalled later.
      watchdog?.kill('SIGKILL');
      if (exit === undefined) {
        child.kill('SIGTERM');
        const timer = new Promise<'timeout'>((resolve) => setTimeout(resolve, graceMs, 'timeout').unref());
        if ((await Promise.race([exited, timer])) === 'timeout') {
          child.kill('SIGKILL');
          await exited;
        }
      }
      process.off('exit', killOnExit);
    })();
    return stopping;
  }

  void exited.then(() => {
    watchdog?.kill('SIGKILL');
    process.off('exit', killOnExit);
  });

  return {
    name: options.name,
    pid: child.pid,
    logPath: options.logPath,
    exited,
    isRunning: () => exit === undefined,
    stop,
  };
}
