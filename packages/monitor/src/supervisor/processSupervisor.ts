import { type Clock, systemClock } from '../clock.js';
import { MonitorError, MonitorErrorCode } from '../errors.js';
import type { ExitInfo, SpawnedProcess, Spawner, SpawnSpec } from './spawner.js';

/** Options of {@link createProcessSupervisor}. */
export interface ProcessSupervisorOptions {
  spec: SpawnSpec;
  spawner: Spawner;
  /** Between SIGTERM and SIGKILL on stop, ms. @default 5000 */
  stopGraceMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

/** Told of every exit: `expected` is true when {@link ProcessSupervisor.stop} caused it. */
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
  /** Subscribes to exits; returns the unsubscribe function. */
  onExit(listener: ExitListener): () => void;
  /** Stops the process and refuses to start another. Idempotent. */
  close(): Promise<void>;
}

/** Creates a {@link ProcessSupervisor}; nothing is spawned until `start`. */
export function createProcessSupervisor(options: ProcessSupervisorOptions): ProcessSupervisor {
  const clock = options.clock ?? systemClock;
  const stopGraceMs = options.stopGraceMs ?? 5000;
  const listeners = new Set<ExitListener>();
  let current: SpawnedProcess | undefined;
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
    void spawned.exited.then((info) => {
      if (current === spawned) current = undefined;
      const expected = stopping === spawned;
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
