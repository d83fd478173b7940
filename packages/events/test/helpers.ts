import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '@selfheal/internal';
import { afterEach } from 'vitest';

/** A fresh temporary directory, removed after the current test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-events-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A clock whose time only moves when told to; timers fire as time passes. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  readonly pending: number;
}

/** Creates a {@link ManualClock} starting at `start` (epoch ms). */
export function createManualClock(start = Date.UTC(2026, 10, 21, 10)): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers]
          .filter(([, t]) => t.at <= target)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = target;
    },
    get pending() {
      return timers.size;
    },
  };
}
