import { validate } from '@selfheal/schemas';
import { expect, vi } from 'vitest';
import type { ResilienceEvent } from '../events.js';

/** 2026-11-21T10:00:00.000Z: fake time starts here, so timestamps read naturally. */
export const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** Installs fake timers at {@link T0} and returns an event sink that records what it gets. */
export function useFakeTime() {
  vi.useFakeTimers({ now: T0 });
  const events: ResilienceEvent[] = [];
  return {
    events,
    sink: (event: ResilienceEvent) => {
      events.push(event);
    },
    types: () => events.map((event) => event.event_type),
    ofType: <K extends ResilienceEvent['event_type']>(type: K) =>
      events.filter(
        (event): event is Extract<ResilienceEvent, { event_type: K }> => event.event_type === type,
      ),
  };
}

/** Advances fake time by `ms`, running due timers and the promise jobs they cause. */
export const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** Lets pending promise jobs run without moving time. */
export const flush = () => vi.advanceTimersByTimeAsync(0);

/** Every event is valid under the shipped event schema. */
export function expectValidEvents(events: readonly ResilienceEvent[]): void {
  expect(events.length).toBeGreaterThan(0);
  for (const event of events) {
    const result = validate('event', event);
    expect(result.issues, `${event.event_type} must match the event schema`).toEqual([]);
  }
}

/** A promise with its resolve and reject. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A `random` that returns `values` in turn, then the last one forever. */
export function randomOf(...values: number[]) {
  let index = 0;
  return () => values[Math.min(index++, values.length - 1)] ?? 0;
}

/** An error like the SDK's StreamableHTTPError: the HTTP status as `code`. */
export function httpError(status: number, headers?: Record<string, string>) {
  return Object.assign(new Error(`HTTP ${status}`), {
    code: status,
    ...(headers ? { headers } : {}),
  });
}

/** An error like the SDK's McpError: a JSON-RPC code. */
export function rpcError(code: number) {
  return Object.assign(new Error(`MCP error ${code}`), { code });
}

/** A Node system error such as ECONNREFUSED, wrapped as fetch wraps it. */
export function systemError(code: string) {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
}

/** Settles `promise` into a value or the error, so a test can await it after moving time. */
export function settle<T>(promise: Promise<T>) {
  const state: { done: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => {
      state.done = true;
      state.value = value;
    },
    (error: unknown) => {
      state.done = true;
      state.error = error;
    },
  );
  return state;
}
