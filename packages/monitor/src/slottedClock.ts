import type { Clock, TimerHandle } from '@selfheal/internal';

/** Options of {@link createSlottedClock}. */
export interface SlottedClockOptions {
  /** Width of one slot of the grid, ms; 0 turns slotting off. @default 100 */
  slotMs?: number;
  /**
   * Delays shorter than this fire exactly; longer ones move to the nearest slot, so a timer is
   * off by at most `slotMs / 2` (10% of the shortest slotted delay by default).
   * @default 5 * slotMs
   */
  minDelayMs?: number;
}

interface Slot {
  handle: TimerHandle;
  callbacks: Map<number, () => void>;
}

type SlottedHandle = { slot: number; id: number } | { exact: TimerHandle };

/**
 * Wraps `clock` so that timers fire on a shared grid: a timer due at `t` fires at `t` rounded
 * to the nearest multiple of `slotMs`, and every timer of one slot shares one timer of
 * `clock`, run in the order they were set. A wake-up costs far more than the work of one
 * health check (measured in RFC 0007), so checks of many servers due within the same slot
 * are served by one. `now` is the clock's own.
 */
export function createSlottedClock(clock: Clock, options: SlottedClockOptions = {}): Clock {
  const slotMs = options.slotMs ?? 100;
  const minDelayMs = options.minDelayMs ?? 5 * slotMs;
  const slots = new Map<number, Slot>();
  let nextId = 0;

  const fire = (at: number) => {
    const slot = slots.get(at);
    if (!slot) return;
    slots.delete(at);
    for (const callback of slot.callbacks.values()) {
      try {
        callback();
      } catch (error) {
        // One failing callback must not starve the others of the slot; the error still
        // surfaces as an uncaught exception, as it would from a plain timer.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  };

  return {
    now: () => clock.now(),
    setTimeout(callback, ms) {
      if (!(slotMs > 0) || !(ms >= minDelayMs)) {
        return { exact: clock.setTimeout(callback, ms) } satisfies SlottedHandle;
      }
      const now = clock.now();
      const at = Math.round((now + ms) / slotMs) * slotMs;
      let slot = slots.get(at);
      if (!slot) {
        slot = { handle: clock.setTimeout(() => fire(at), at - now), callbacks: new Map() };
        slots.set(at, slot);
      }
      const id = nextId++;
      slot.callbacks.set(id, callback);
      return { slot: at, id } satisfies SlottedHandle;
    },
    clearTimeout(handle) {
      const h = handle as SlottedHandle | undefined;
      if (!h) return;
      if ('exact' in h) {
        clock.clearTimeout(h.exact);
        return;
      }
      const slot = slots.get(h.slot);
      if (!slot) return;
      slot.callbacks.delete(h.id);
      if (slot.callbacks.size === 0) {
        clock.clearTimeout(slot.handle);
        slots.delete(h.slot);
      }
    },
  };
}
