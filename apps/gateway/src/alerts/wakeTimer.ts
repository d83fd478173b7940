import type { Clock } from '@selfheal/internal';

/**
 * One timer for many deadlines: it is set for the earliest one asked for and only ever moved
 * earlier, so each caller may ask for its own next time without cancelling another's sooner
 * one. When it fires, `wake` decides what is due and asks for the next.
 */
export interface WakeTimer {
  /** When the timer fires next (epoch ms), if it is set. */
  readonly dueAt: number | undefined;
  /** Whether {@link stop} was called. */
  readonly stopped: boolean;
  /** Sets the timer for `at` unless it is due no later already (or stopped, or `at` is none). */
  schedule(at: number | undefined): void;
  /** Fires now (the timer, if set, is cancelled first). */
  fireNow(): void;
  /** Cancels the timer; it is never set again. */
  stop(): void;
}

/** A {@link WakeTimer} on `clock` that calls `wake` when it fires. */
export function createWakeTimer(clock: Clock, wake: () => void): WakeTimer {
  let dueAt: number | undefined;
  let timer: unknown;
  let stopped = false;
  const fire = () => {
    timer = undefined;
    dueAt = undefined;
    wake();
  };
  return {
    get dueAt() {
      return dueAt;
    },
    get stopped() {
      return stopped;
    },
    schedule(at) {
      if (stopped || at === undefined || (dueAt !== undefined && dueAt <= at)) return;
      if (timer !== undefined) clock.clearTimeout(timer);
      dueAt = at;
      timer = clock.setTimeout(fire, Math.max(0, at - clock.now()));
    },
    fireNow() {
      if (timer !== undefined) clock.clearTimeout(timer);
      fire();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
    },
  };
}
