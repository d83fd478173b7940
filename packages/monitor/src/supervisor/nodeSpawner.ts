import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ExitInfo, SpawnedProcess, Spawner, SpawnSpec } from './spawner.js';

/** Options of {@link createNodeSpawner}. */
export interface NodeSpawnerOptions {
  /**
   * The environment every server starts with, before its own `env`. @default the variables
   * desktop MCP clients pass on (HOME, LOGNAME, PATH, SHELL, TERM, USER)
   */
  baseEnv?: Record<string, string>;
  /** How long the wrapper waits between SIGTERM and SIGKILL when the monitor dies, ms. @default 2000 */
  orphanGraceMs?: number;
  /** Where a server's stderr goes. @default ignored (drained, so it never blocks the server) */
  onStderr?: (chunk: Buffer) => void;
}

// Same relative location from src/ (tests) and dist/ (built): ../../bin.
const wrapper = fileURLToPath(new URL('../../bin/child-wrapper.js', import.meta.url));
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

// A normal exit of the monitor (or process.exit after SIGINT/SIGTERM) kills every group at
// once; after a SIGKILL of the monitor, the wrapper's pipe-watch does it instead.
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

/**
 * The real spawner. Each server runs under a small wrapper (`bin/child-wrapper.js`) that
 * leads a new process group, so `kill` reaches the server and everything it started, and
 * that watches a pipe to this process, so the server dies with the monitor even when the
 * monitor is killed with SIGKILL. stdin/stdout are the server's own (the wrapper is not in
 * the MCP data path). `exited` resolves after the group has been killed, so nothing of an
 * exited server lingers.
 */
export function createNodeSpawner(options: NodeSpawnerOptions = {}): Spawner {
  const baseEnv = options.baseEnv ?? getDefaultEnvironment();
  const orphanGraceMs = options.orphanGraceMs ?? 2000;
  return {
    spawn(spec: SpawnSpec): SpawnedProcess {
      installExitHook();
      const child = spawn(
        process.execPath,
        [wrapper, String(orphanGraceMs), spec.command, ...spec.args],
        {
          cwd: spec.cwd,
          env: { ...baseEnv, ...spec.env },
          stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
          detached: true,
        },
      );
      live.add(child);
      let pid: number | undefined;
      let reported: ExitInfo | undefined;
      let resolveReady!: () => void;
      let rejectReady!: (error: Error) => void;
      const ready = new Promise<void>((resolve, reject) => {
        resolveReady = resolve;
        rejectReady = reject;
      });
      ready.catch(() => {});
      // An EPIPE on a dead server's stdin must never crash the monitor.
      child.stdin?.on('error', () => {});
      child.stdout?.on('error', () => {});
      child.stderr?.on('error', () => {});
      if (options.onStderr) child.stderr?.on('data', options.onStderr);
      else child.stderr?.resume();
      const control = child.stdio[3] as Readable | null;
      let pending = '';
      control?.on('error', () => {});
      control?.on('data', (chunk: Buffer) => {
        pending += chunk.toString('utf8');
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          try {
            const message = JSON.parse(line) as { pid?: number; exit?: ExitInfo };
            if (message.pid !== undefined) {
              pid = message.pid;
              resolveReady();
            }
            if (message.exit) reported = message.exit;
          } catch {
            // Not ours: ignore.
          }
        }
      });
      const exited = new Promise<ExitInfo>((resolve) => {
        child.on('error', (error) => {
          live.delete(child);
          rejectReady(error);
          resolve({ code: null, signal: null, error: error.message });
        });
        child.on('exit', () => {
          // Whatever the server left behind in its group goes with it.
          killGroup(child, 'SIGKILL');
          live.delete(child);
        });
        child.on('close', (code, signal) => {
          const info: ExitInfo = reported ?? { code, signal };
          if (info.error) rejectReady(new Error(info.error));
          else rejectReady(new Error(`exited before it started (${describeExit(info)})`));
          resolve(info);
        });
      });
      return {
        get pid() {
          return pid;
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

/** `code 1`, `signal SIGKILL`, or the start error: for messages and events. */
export function describeExit(info: ExitInfo): string {
  if (info.error) return `could not start: ${info.error}`;
  if (info.signal) return `killed by ${info.signal}`;
  return `exit code ${info.code}`;
}
