import type { Clock } from '@selfheal/internal';

/** Sleeps on a clock that can all be cut short at once (a stopping service waits for none). */
export interface WakeableSleeps {
  /** Resolves after `ms`, or as soon as {@link wakeAll} is called. */
  sleep(ms: number): Promise<void>;
  /** Cancels every sleep's timer and resolves it now. */
  wakeAll(): void;
}

/** {@link WakeableSleeps} on `clock`. */
export function createWakeableSleeps(clock: Clock): WakeableSleeps {
  const sleeping = new Set<{ timer: unknown; wake: () => void }>();
  return {
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        const entry = {
          timer: undefined as unknown,
          wake: () => {
            sleeping.delete(entry);
            resolve();
          },
        };
        entry.timer = clock.setTimeout(entry.wake, ms);
        sleeping.add(entry);
      }),
    wakeAll() {
      for (const s of [...sleeping]) {
        clock.clearTimeout(s.timer);
        s.wake();
      }
    },
  };
}
