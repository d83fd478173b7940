import { createEventBus, createEventFactory } from '@selfheal/events';
import { describe, expect, it } from 'vitest';
import { createCallLog, formatCallLine } from './callLog.js';

const clock = { now: () => Date.UTC(2026, 10, 21, 10), setTimeout: () => 0, clearTimeout() {} };
const call = (fields: Record<string, unknown> = {}) =>
  ({
    event_type: 'call_completed',
    timestamp: '2026-11-21T10:00:00.000Z',
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    server_name: 'alpha',
    method: 'tools/call',
    tool: 'alpha_echo',
    latency_ms: 2.5,
    attempts: 1,
    outcome: 'ok',
    session_id: 's-1',
    ...fields,
  }) as never;

describe('formatCallLine', () => {
  it('writes one JSON line with the call fields, in a stable order', () => {
    expect(formatCallLine(call())).toBe(
      '{"level":"info","time":"2026-11-21T10:00:00.000Z","msg":"call","server":"alpha","tool":"alpha_echo","method":"tools/call","latency_ms":2.5,"attempts":1,"outcome":"ok","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","session_id":"s-1"}\n',
    );
  });

  it('marks a failed call warn and keeps its error code and fallback server', () => {
    const line = JSON.parse(
      formatCallLine(call({ outcome: 'timeout', error_code: 'TIMEOUT', fallback_server: 'beta' })),
    );
    expect(line).toMatchObject({ level: 'warn', error_code: 'TIMEOUT', fallback_server: 'beta' });
  });

  it('never leaks arguments, results or headers an emitter put on the event', () => {
    const secret = 'sk-live-SECRET-1234';
    const line = formatCallLine(
      call({
        arguments: { password: secret },
        result: { content: [{ type: 'text', text: secret }] },
        headers: { authorization: `Bearer ${secret}` },
        error: { message: secret },
      }),
    );
    expect(line).not.toContain(secret);
    expect(Object.keys(JSON.parse(line))).not.toContain('arguments');
  });
});

describe('createCallLog', () => {
  const setup = (level?: 'info' | 'warn' | 'off') => {
    const bus = createEventBus({ events: createEventFactory({ clock }), clock });
    const writes: string[] = [];
    const flushes: (() => void)[] = [];
    const stop = createCallLog({
      events$: bus.events$,
      write: (text) => writes.push(text),
      level,
      defer: (flush) => flushes.push(flush),
    });
    bus.publish(call());
    bus.publish(call({ outcome: 'error' }));
    bus.publish({ event_type: 'server_down', timestamp: '2026-11-21T10:00:00Z', trace_id: 't' });
    const run = () => {
      for (const flush of flushes.splice(0)) flush();
    };
    const lines = () => writes.join('').split('\n').filter(Boolean);
    return { bus, writes, lines, stop, run, flushes };
  };

  it('logs every call and nothing else at info, in one write once deferred', () => {
    const { writes, lines, run, flushes } = setup();
    expect(writes).toEqual([]); // nothing on the call's own path
    expect(flushes).toHaveLength(1);
    run();
    expect(writes).toHaveLength(1);
    expect(lines().map((l) => JSON.parse(l).outcome)).toEqual(['ok', 'error']);
  });

  it('logs failed calls only at warn, and nothing when off or stopped', () => {
    const warn = setup('warn');
    warn.run();
    expect(warn.lines().map((l) => JSON.parse(l).outcome)).toEqual(['error']);
    const off = setup('off');
    off.run();
    expect(off.lines()).toEqual([]);
    const { bus, lines, stop, run } = setup();
    stop(); // writes what is pending
    expect(lines()).toHaveLength(2);
    bus.publish(call());
    run();
    expect(lines()).toHaveLength(2);
  });
});
