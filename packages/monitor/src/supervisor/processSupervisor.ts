import { existsSync } from 'node:fs';
import type { Clock } from '@selfheal/internal';
import { monitorClock } from '../clock.js';
import { LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import { MonitorError, MonitorErrorCode } from '../errors.js';
import { maskEnvSecrets } from './maskEnvSecrets.js';
import type { ExitInfo, SpawnedProcess, Spawner, SpawnSpec } from './spawner.js';
import { createStderrTail, type StderrTail } from './stderrTail.js';

/** Options of {@link createProcessSupervisor}. */
export interface ProcessSupervisorOptions {
  spec: SpawnSpec;
  spawner: Spawner;
  /** Between SIGTERM and SIGKILL on stop, ms. @default 5000 */
  stopGraceMs?: number;
  /** @default monitorClock */
  clock?: Clock;
  /** Lines of a process's stderr kept for its exit and for messages. @default 5 */
  stderrLines?: number;
  /** Bytes of a process's stderr kept, at most. @default 2048 */
  stderrBytes?: number;
}

/**
 * Told of every exit: `expected` is true when {@link ProcessSupervisor.stop} caused it. `info`
 * carries the last lines the process wrote to stderr (`stderr`), secrets masked.
 */
export type ExitListener = (info: ExitInfo, expected: boolean, process: SpawnedProcess) => void;

/**
 * Owns the one process of one stdio server. Operations are serialised, so there is never more
 * than one live process: `start` while one runs returns it, `restart` stops it first.
 */
export interface ProcessSupervisor {
  /** The live process, if any. */
  readonly current: SpawnedProcess | undefined;
  /** Starts the process unless one is live; resolves once it runs. */
  start(): Promise<SpawnedProcess>;
  /** SIGTERM, then SIGKILL after the grace; resolves when it is gone (undefined if none ran). */
  stop(): Promise<ExitInfo | undefined>;
  /** stop, then start. */
  restart(): Promise<SpawnedProcess>;
  /**
   * The last lines the live (or last) process wrote to stderr, newest last, secrets masked:
   * the cause to name when its session fails before its exit is known.
   */
  recentStderr(): string[];
  /** Subscribes to exits; returns the unsubscribe function. */
  onExit(listener: ExitListener): () => void;
  /** Stops the process and refuses to start another. Idempotent. */
  close(): Promise<void>;
}

/** Creates a {@link ProcessSupervisor}; nothing is spawned until `start`. */
export function createProcessSupervisor(options: ProcessSupervisorOptions): ProcessSupervisor {
  const clock = options.clock ?? monitorClock;
  const stopGraceMs = options.stopGraceMs ?? LIBRARY_DEFAULTS.recovery.stop_grace_seconds * 1000;
  const listeners = new Set<ExitListener>();
  let current: SpawnedProcess | undefined;
  let tail: StderrTail | undefined;
  const stderrOf = (t: StderrTail | undefined) =>
    (t?.lines() ?? []).map((line) => maskEnvSecrets(line, options.spec.env));
  let stopping: SpawnedProcess | undefined;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const serial = <T>(operation: () => Promise<T>): Promise<T> => {
    const next = queue.then(operation, operation);
    queue = next.catch(() => {});
    return next;
  };

  async function doStart(): Promise<SpawnedProcess> {
    if (closed) throw new MonitorError(MonitorErrorCode.Closed, 'the supervisor is closed');
    if (current) return current;
    const spawned = options.spawner.spawn(options.spec);
    current = spawned;
    // Followed from the spawn on: what a server prints before it dies is the likeliest cause.
    const ownTail = createStderrTail(spawned.stderr, {
      ...(options.stderrLines === undefined ? {} : { maxLines: options.stderrLines }),
      ...(options.stderrBytes === undefined ? {} : { maxBytes: options.stderrBytes }),
    });
    tail = ownTail;
    void spawned.exited.then((exit) => {
      if (current === spawned) current = undefined;
      const expected = stopping === spawned;
      const info = withCause(exit, stderrOf(ownTail), options.spec.cwd);
      for (const listener of listeners) listener(info, expected, spawned);
    });
    try {
      await spawned.ready;
    } catch (cause) {
      await spawned.exited;
      throw new MonitorError(
        MonitorErrorCode.SpawnFailed,
        `cannot start ${options.spec.command}: ${(cause as Error).message}`,
        { cause },
      );
    }
    return spawned;
  }

  async function doStop(): Promise<ExitInfo | undefined> {
    const target = current;
    if (!target) return undefined;
    stopping = target;
    target.kill('SIGTERM');
    let timer: unknown;
    const grace = new Promise<'grace'>((resolve) => {
      timer = clock.setTimeout(() => resolve('grace'), stopGraceMs);
    });
    const first = await Promise.race([target.exited, grace]);
    clock.clearTimeout(timer);
    if (first === 'grace') target.kill('SIGKILL');
    const info = await target.exited;
    if (current === target) current = undefined;
    return info;
  }

  return {
    get current() {
      return current;
    },
    start: () => serial(doStart),
    stop: () => serial(doStop),
    recentStderr: () => stderrOf(tail),
    restart: () =>
      serial(async () => {
        await doStop();
        return doStart();
      }),
    onExit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () =>
      serial(async () => {
        closed = true;
        await doStop();
      }),
  };
}

/**
 * The exit with its stderr tail; a start that failed with ENOENT because the working folder is
 * missing (Node reports it as the command's) says so.
 */
function withCause(info: ExitInfo, stderr: string[], cwd: string | undefined): ExitInfo {
  const own = stderr.length > 0 ? { ...info, stderr } : { ...info };
  if (info.errorCode === 'ENOENT' && cwd !== undefined && !existsSync(cwd))
    return { ...own, error: `the working folder ${cwd} does not exist`, errorCode: 'ENOTDIR' };
  return own;
}
