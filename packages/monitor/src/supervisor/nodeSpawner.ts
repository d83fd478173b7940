import { type ChildProcess, spawn } from 'node:child_process';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { type ProcessReaper, sharedProcessReaper } from './processReaper.js';
import type { ExitInfo, SpawnedProcess, Spawner, SpawnSpec } from './spawner.js';

/** Options of {@link createNodeSpawner}. */
export interface NodeSpawnerOptions {
  /**
   * The environment every server starts with, before its own `env`. @default the variables
   * desktop MCP clients pass on (HOME, LOGNAME, PATH, SHELL, TERM, USER)
   */
  baseEnv?: Record<string, string>;
  /**
   * Kills every live process group if this process dies without running its exit hook
   * (SIGKILL). @default sharedProcessReaper() (one per process, grace 2000 ms)
   */
  reaper?: ProcessReaper;
  /** Where a server's stderr goes. @default ignored (drained, so it never blocks the server) */
  onStderr?: (chunk: Buffer) => void;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the whole group is gone already.
  }
}

// A normal exit (or process.exit after SIGINT/SIGTERM) kills every group at once; after a
// SIGKILL, which no hook survives, the reaper does it instead.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

/**
 * The real spawner. Each server is started `detached`, the leader of a new process group, so
 * `kill` reaches the server and everything it started (through `npx` or `sh -c` too), and the
 * group is registered with the reaper, so it dies with this process even after a SIGKILL.
 * `exited` resolves after the group has been killed, so nothing of an exited server lingers.
 */
export function createNodeSpawner(options: NodeSpawnerOptions = {}): Spawner {
  const baseEnv = options.baseEnv ?? getDefaultEnvironment();
  return {
    spawn(spec: SpawnSpec): SpawnedProcess {
      installExitHook();
      const reaper = options.reaper ?? sharedProcessReaper();
      const child = spawn(spec.command, spec.args, {
        cwd: spec.cwd,
        env: { ...baseEnv, ...spec.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      });
      // Registered in the same turn as the spawn: the pipe write reaches the reaper even if
      // this process is killed right after.
      const pgid = child.pid;
      if (pgid !== undefined) {
        live.add(child);
        reaper.watch(pgid);
      }
      let resolveReady!: () => void;
      let rejectReady!: (error: Error) => void;
      const ready = new Promise<void>((resolve, reject) => {
        resolveReady = resolve;
        rejectReady = reject;
      });
      ready.catch(() => {});
      child.once('spawn', () => resolveReady());
      // An EPIPE on a dead server's stdin must never crash the monitor.
      child.stdin?.on('error', () => {});
      child.stdout?.on('error', () => {});
      child.stderr?.on('error', () => {});
      if (options.onStderr) child.stderr?.on('data', options.onStderr);
      else child.stderr?.resume();
      let startError: string | undefined;
      const exited = new Promise<ExitInfo>((resolve) => {
        child.on('error', (error) => {
          // A failed start emits no 'exit'; a failed kill of a live child is not an exit.
          if (pgid !== undefined) return;
          startError = error.message;
          rejectReady(error);
          const errorCode = (error as NodeJS.ErrnoException).code;
          resolve({
            code: null,
            signal: null,
            error: startError,
            ...(errorCode === undefined ? {} : { errorCode }),
          });
        });
        child.on('exit', () => {
          // Whatever the server left behind in its group goes with it.
          killGroup(child, 'SIGKILL');
          live.delete(child);
          if (pgid !== undefined) reaper.release(pgid);
        });
        child.on('close', (code, signal) => {
          const info: ExitInfo = { code, signal };
          rejectReady(new Error(`exited before it started (${describeExit(info)})`));
          resolve(info);
        });
      });
      return {
        get pid() {
          return child.pid;
        },
        stdin: child.stdin!,
        stdout: child.stdout!,
        stderr: child.stderr!,
        ready,
        exited,
        kill(signal) {
          if (!live.has(child)) return;
          killGroup(child, signal);
          // A stopped process only acts on SIGTERM once it runs again.
          if (signal === 'SIGTERM') killGroup(child, 'SIGCONT');
        },
      };
    },
  };
}

/**
 * `exit code 1`, `killed by SIGKILL`, or the start error, and for a permanent cause what it
 * means (`exit code 127: command not found`): for messages and events. Without the stderr.
 */
export function describeExit(info: ExitInfo): string {
  if (info.error) {
    const meaning = info.errorCode ? START_ERRORS[info.errorCode] : undefined;
    return `could not start: ${info.error}${meaning ? ` (${meaning})` : ''}`;
  }
  if (info.signal) return `killed by ${info.signal}`;
  const meaning = info.code === null ? undefined : SHELL_EXITS[info.code];
  return `exit code ${info.code}${meaning ? `: ${meaning}` : ''}`;
}

/** Start errors that the same command meets again on every try. */
const START_ERRORS: Record<string, string> = {
  ENOENT: 'command not found',
  EACCES: 'permission denied',
  ENOTDIR: 'a folder in the path is a file',
};

/** The exit codes shells (and npx) use when the command itself cannot run (POSIX). */
const SHELL_EXITS: Record<number, string> = {
  126: 'command not executable',
  127: 'command not found',
};

/**
 * Whether the process cannot start however often it is tried: its command is missing or not
 * executable (spawn ENOENT or EACCES; exit 127 or 126, what a shell or npx reports for the
 * same). A restart changes nothing; the config or the machine must.
 */
export function isPermanentExit(info: ExitInfo): boolean {
  if (info.error) return info.errorCode !== undefined && info.errorCode in START_ERRORS;
  return info.signal === null && info.code !== null && info.code in SHELL_EXITS;
}
