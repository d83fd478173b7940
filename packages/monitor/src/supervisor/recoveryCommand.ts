import type { Clock } from '@selfheal/internal';
import { monitorClock } from '../clock.js';
import { LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import { describeExit } from './nodeSpawner.js';
import type { Spawner } from './spawner.js';

/** Options of {@link runRecoveryCommand}. */
export interface RecoveryCommandOptions {
  /** The operator's command, run with `/bin/sh -c` (a container or service restart). */
  command: string;
  /** Killed (with everything it started) after this long, ms. @default 60000 */
  timeoutMs?: number;
  spawner: Spawner;
  /** @default monitorClock */
  clock?: Clock;
  /** Extra environment (e.g. `SELFHEAL_SERVER`). @default {} */
  env?: Record<string, string>;
}

/** How a recovery command went: `ok` when it exited 0 within the timeout. */
export interface RecoveryCommandResult {
  ok: boolean;
  /** Why not, for `recovery_failed`: the exit, the timeout, or the last stderr line. */
  error?: string;
}

/**
 * Runs the `command` recovery strategy once. Never rejects: a command that cannot start,
 * exits non-zero or outlives `timeoutMs` (then it is SIGKILLed, its whole process group with
 * it) is a failed result with the reason.
 */
export async function runRecoveryCommand(
  options: RecoveryCommandOptions,
): Promise<RecoveryCommandResult> {
  const clock = options.clock ?? monitorClock;
  const timeoutMs = options.timeoutMs ?? LIBRARY_DEFAULTS.recovery.command_timeout_seconds * 1000;
  const child = options.spawner.spawn({
    command: '/bin/sh',
    args: ['-c', options.command],
    env: options.env ?? {},
  });
  child.stdin.end();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-2000);
  });
  child.stdout.resume();
  let timedOut = false;
  const timer = clock.setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  const info = await child.exited;
  clock.clearTimeout(timer);
  if (timedOut) {
    return {
      ok: false,
      error: `recovery command timed out after ${timeoutMs} ms: ${options.command}`,
    };
  }
  if (info.code === 0) return { ok: true };
  const last = stderr.trim().split('\n').at(-1);
  return {
    ok: false,
    error: `recovery command failed (${describeExit(info)})${last ? `: ${last}` : ''}: ${options.command}`,
  };
}
