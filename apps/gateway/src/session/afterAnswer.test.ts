import type { Transport } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { createAfterAnswer, onAnswerSent } from './afterAnswer.js';

/** A schedule that holds the run until the test calls `runScheduled`. */
function manualSchedule() {
  const runs: (() => void)[] = [];
  const schedule = (run: () => void) => void runs.push(run);
  return {
    schedule,
    scheduled: () => runs.length,
    runScheduled: () => {
      for (const run of runs.splice(0)) run();
    },
  };
}

describe('createAfterAnswer', () => {
  it('runs nothing at once, then every task of the turn in order, on one schedule', () => {
    const manual = manualSchedule();
    const after = createAfterAnswer(manual.schedule);
    const seen: number[] = [];
    after.defer(() => seen.push(1));
    after.defer(() => seen.push(2));
    expect(seen).toEqual([]);
    expect(manual.scheduled()).toBe(1);
    manual.runScheduled();
    expect(seen).toEqual([1, 2]);
    after.defer(() => seen.push(3));
    expect(manual.scheduled()).toBe(1);
    manual.runScheduled();
    expect(seen).toEqual([1, 2, 3]);
  });

  it('flush runs what is queued now; the scheduled run then finds nothing', () => {
    const manual = manualSchedule();
    const after = createAfterAnswer(manual.schedule);
    const seen: string[] = [];
    after.defer(() => seen.push('call_completed'));
    after.flush();
    seen.push('circuit_opened');
    manual.runScheduled();
    after.flush();
    expect(seen).toEqual(['call_completed', 'circuit_opened']);
  });

  it('runs tasks queued by a running task in the same run, after the others', () => {
    const manual = manualSchedule();
    const after = createAfterAnswer(manual.schedule);
    const seen: string[] = [];
    after.defer(() => {
      seen.push('a');
      after.defer(() => seen.push('c'));
    });
    after.defer(() => seen.push('b'));
    manual.runScheduled();
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('skips a task that throws and still runs the ones after it', () => {
    const manual = manualSchedule();
    const after = createAfterAnswer(manual.schedule);
    const seen: string[] = [];
    after.defer(() => {
      throw new Error('a subscriber broke');
    });
    after.defer(() => seen.push('next'));
    expect(() => manual.runScheduled()).not.toThrow();
    expect(seen).toEqual(['next']);
  });

  it('by default runs after the current turn’s microtasks (setImmediate)', async () => {
    const after = createAfterAnswer();
    const seen: string[] = [];
    after.defer(() => seen.push('deferred'));
    await Promise.resolve();
    seen.push('microtask');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['microtask', 'deferred']);
  });
});

describe('onAnswerSent', () => {
  /** A transport whose send records messages, and can be made to fail. */
  function fakeTransport(fail = false) {
    const sent: unknown[] = [];
    const transport: Transport = {
      start: async () => {},
      close: async () => {},
      send: async (message) => {
        if (fail) throw new Error('No connection established');
        sent.push(message);
      },
    };
    return { transport, sent };
  }

  it('calls back after a result or error response is sent, not after other messages', async () => {
    const { transport, sent } = fakeTransport();
    const answered: number[] = [];
    onAnswerSent(transport, () => answered.push(sent.length));
    await transport.send({ jsonrpc: '2.0', method: 'notifications/progress', params: {} } as never);
    await transport.send({ jsonrpc: '2.0', id: 1, method: 'sampling/createMessage' } as never);
    expect(answered).toEqual([]);
    await transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    await transport.send({ jsonrpc: '2.0', id: 2, error: { code: -1, message: 'x' } });
    expect(answered).toEqual([3, 4]);
  });

  it('calls back when the response could not be sent, and still rejects', async () => {
    const { transport } = fakeTransport(true);
    let answered = 0;
    onAnswerSent(transport, () => answered++);
    await expect(transport.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toThrow(
      /No connection/,
    );
    expect(answered).toBe(1);
  });
});
