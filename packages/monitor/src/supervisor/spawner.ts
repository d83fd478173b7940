import type { Readable, Writable } from 'node:stream';

/** What to run for one stdio server. */
export interface SpawnSpec {
  command: string;
  args: string[];
  /** Added to the spawner's base environment. */
  env: Record<string, string>;
  cwd?: string;
}

/** How a process ended. `signal` is set when a signal ended it. */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Why it could not start at all (command not found), when that is what happened. */
  error?: string;
  /** The system error code of a failed start (`ENOENT`: no such command; `EACCES`). */
  errorCode?: string;
  /**
   * The last lines the process wrote to stderr, newest last: bounded and with secrets masked
   * (set by the supervisor, see `createProcessSupervisor`).
   */
  stderr?: string[];
}

/** A running (or just ended) process as the supervisor sees it. */
export interface SpawnedProcess {
  /** The server's own pid once known (see `ready`). */
  readonly pid: number | undefined;
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the server process runs (its pid is known); rejects if it cannot start. */
  readonly ready: Promise<void>;
  /** Resolves once, when the process and everything it started are gone. */
  readonly exited: Promise<ExitInfo>;
  /** Sends `signal` to the server and every process it started. Idempotent after exit. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts processes; injected so tests use fakes and the monitor never calls spawn itself. */
export interface Spawner {
  spawn(spec: SpawnSpec): SpawnedProcess;
}
