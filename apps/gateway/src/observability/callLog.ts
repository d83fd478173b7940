import type { EventBus } from '@selfheal/events';
import type { SelfhealEvent } from '@selfheal/schemas';

/** Lowest level written: `info` every call, `warn` failed calls only, `off` nothing. */
export type CallLogLevel = 'info' | 'warn' | 'off';

/** Options of {@link createCallLog}. */
export interface CallLogOptions {
  /** The gateway bus; one line per `call_completed`. */
  events$: EventBus['events$'];
  /** Where lines go (each ends with a newline). @default process.stderr.write */
  write?: (line: string) => void;
  /** @default 'info' */
  level?: CallLogLevel;
  /**
   * Schedules the write of the lines gathered so far. Lines are written together, after the
   * call's response has gone out: a write to stderr (a pipe) costs as much CPU as the response's
   * own socket write, and must not sit on the call's path. @default setImmediate
   */
  defer?: (flush: () => void) => void;
}

/** The fields a call log line may carry; anything else on the event is never written. */
export const CALL_LOG_FIELDS = [
  'server_name',
  'tool',
  'method',
  'latency_ms',
  'attempts',
  'outcome',
  'error_code',
  'fallback_server',
  'trace_id',
  'session_id',
] as const;

/**
 * Formats a `call_completed` event as one JSON log line: `level` (`info` for ok, `warn` for any
 * other outcome), `time` (the event's timestamp), `msg: "call"`, then {@link CALL_LOG_FIELDS}
 * (`server_name` written as `server`). Only those fields are copied, so arguments, results or
 * headers an emitter might add never reach the log.
 */
export function formatCallLine(event: SelfhealEvent): string {
  const e = event as Record<string, unknown>;
  const line: Record<string, unknown> = {
    level: e.outcome === 'ok' ? 'info' : 'warn',
    time: e.timestamp,
    msg: 'call',
  };
  for (const field of CALL_LOG_FIELDS) {
    const value = e[field];
    if (value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    line[field === 'server_name' ? 'server' : field] = value;
  }
  return `${JSON.stringify(line)}\n`;
}

/**
 * Writes a structured line per call from the bus; the lines of calls that end in the same turn
 * of the event loop go out in one write, on `defer`. Returns a function that writes what is
 * pending and stops. A write that throws is ignored (logging never breaks a call).
 */
export function createCallLog(options: CallLogOptions): () => void {
  const level = options.level ?? 'info';
  if (level === 'off') return () => {};
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const defer = options.defer ?? ((flush: () => void) => void setImmediate(flush));
  let pending = '';
  const flush = () => {
    const text = pending;
    pending = '';
    if (text === '') return;
    try {
      write(text);
    } catch {
      // A broken stderr must not stop the gateway.
    }
  };
  const subscription = options.events$.subscribe((event) => {
    if (event.event_type !== 'call_completed') return;
    if (level === 'warn' && event.outcome === 'ok') return;
    const first = pending === '';
    pending += formatCallLine(event);
    if (first) defer(flush);
  });
  return () => {
    subscription.unsubscribe();
    flush();
  };
}
