import { PassThrough } from 'node:stream';
import type { ExitInfo, SpawnedProcess, Spawner, SpawnSpec } from '../supervisor/spawner.js';

/** A fake process: records signals; `exit()` ends it. `ignoreTerm` makes SIGTERM do nothing. */
export interface FakeProcess extends SpawnedProcess {
  readonly stdin: PassThrough;
  readonly stdout: PassThrough;
  readonly spec: SpawnSpec;
  readonly signals: string[];
  readonly alive: boolean;
  exit(info?: Partial<ExitInfo>): void;
}

/** A spawner of {@link FakeProcess}es, all kept in `spawned` in order. */
export interface FakeSpawner extends Spawner {
  readonly spawned: FakeProcess[];
  /** How many spawned processes have not exited. */
  live(): number;
  /** When true, SIGTERM is ignored (a hung or stubborn server). */
  ignoreTerm: boolean;
}

let nextPid = 1000;

/** Creates a {@link FakeSpawner}; `onSpawn` sees each process as it starts (wire a server). */
export function createFakeSpawner(onSpawn?: (process: FakeProcess) => void): FakeSpawner {
  const spawned: FakeProcess[] = [];
  const spawner: FakeSpawner = {
    spawned,
    ignoreTerm: false,
    live: () => spawned.filter((p) => p.alive).length,
    spawn(spec) {
      let resolveExit!: (info: ExitInfo) => void;
      const exited = new Promise<ExitInfo>((resolve) => {
        resolveExit = resolve;
      });
      let alive = true;
      const signals: string[] = [];
      const pid = nextPid++;
      const fake: FakeProcess = {
        spec,
        signals,
        get alive() {
          return alive;
        },
        pid,
        stdin: new PassThrough(),
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        ready: Promise.resolve(),
        exited,
        kill(signal) {
          if (!alive) return;
          signals.push(signal);
          if (signal === 'SIGKILL' || (signal === 'SIGTERM' && !spawner.ignoreTerm)) {
            fake.exit({ signal });
          }
        },
        exit(info = {}) {
          if (!alive) return;
          alive = false;
          fake.stdout.end();
          resolveExit({ code: info.code ?? null, signal: info.signal ?? null });
        },
      };
      spawned.push(fake);
      onSpawn?.(fake);
      return fake;
    },
  };
  return spawner;
}
