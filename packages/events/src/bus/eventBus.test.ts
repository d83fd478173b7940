import type { SelfhealEvent } from '@selfheal/schemas';
import { validate } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../test/helpers.js';
import { createEventFactory } from '../model/createEvent.js';
import { createEventBus, type EventSink } from './eventBus.js';

function setup(options: { bufferSize?: number } = {}) {
  const clock = createManualClock();
  const events = createEventFactory({ clock });
  const bus = createEventBus({ events, clock, ...options });
  return { clock, events, bus };
}

/** A sink that records what it got. */
function recorder(name = 'rec') {
  const got: SelfhealEvent[] = [];
  const sink: EventSink = { name, write: (e) => void got.push(e) };
  return { sink, got };
}

/** A sink whose writes wait until released. */
function gated(name = 'slow') {
  const got: SelfhealEvent[] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const sink: EventSink = {
    name,
    async write(e) {
      await gate;
      got.push(e);
    },
  };
  return {
    sink,
    got,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

const down = (events: ReturnType<typeof createEventFactory>, n: number) =>
  events.serverDown({ server_name: `s${n}` });

describe('createEventBus', () => {
  it('is hot: subscribers see only what is published after they subscribe', () => {
    const { bus, events } = setup();
    const seen: string[] = [];
    bus.publish(down(events, 0));
    const sub = bus.events$.subscribe((e) => seen.push(e.server_name!));
    bus.publish(down(events, 1));
    sub.unsubscribe();
    bus.publish(down(events, 2));
    expect(seen).toEqual(['s1']);
  });

  it('a slow sink never blocks the others, and gets everything in order when it catches up', async () => {
    const { bus, events } = setup();
    const fast = recorder('fast');
    const slow = gated();
    const fastHandle = bus.attach({ name: 'fast', write: async (e) => void fast.got.push(e) });
    const slowHandle = bus.attach(slow.sink);
    for (let i = 0; i < 5; i++) bus.publish(down(events, i));
    await fastHandle.drained();
    expect(fast.got).toHaveLength(5);
    expect(slow.got).toHaveLength(0);
    expect(slowHandle.buffered).toBe(4);
    slow.open();
    await bus.drain();
    expect(slow.got.map((e) => e.server_name)).toEqual(['s0', 's1', 's2', 's3', 's4']);
  });

  it('a throwing sink does not break the others; its errors become sink_failed events', async () => {
    const { bus, events } = setup();
    const good = recorder('good');
    bus.attach({
      name: 'broken',
      write: (e) => {
        if (e.event_type !== 'sink_failed') throw new Error('disk on fire');
      },
    });
    bus.attach(good.sink);
    bus.publish(down(events, 0));
    bus.publish(down(events, 1));
    await bus.drain();
    expect(good.got.filter((e) => e.event_type === 'server_down')).toHaveLength(2);
    const failures = good.got.filter((e) => e.event_type === 'sink_failed');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ sink: 'broken', error: 'disk on fire', failures: 1 });
    expect(validate('event', failures[0]).issues).toEqual([]);
  });

  it('reports at most one sink_failed per interval, counting the failures in between', async () => {
    const { bus, events, clock } = setup();
    const good = recorder('good');
    bus.attach({
      name: 'async-broken',
      write: async () => {
        throw new Error('503');
      },
    });
    bus.attach(good.sink);
    for (let i = 0; i < 10; i++) bus.publish(down(events, i));
    await bus.drain();
    const reports = () => good.got.filter((e) => e.event_type === 'sink_failed');
    expect(reports()).toHaveLength(1);
    clock.advance(999);
    await bus.drain();
    expect(reports()).toHaveLength(1);
    clock.advance(1);
    await bus.drain();
    // The first report's own delivery to the broken sink failed too: counted, not reported alone.
    expect(reports().map((e) => e.failures)).toEqual([1, 10]);
  });

  it('drops for a full sink only, and says how many in sink_failed', async () => {
    const { bus, events } = setup({ bufferSize: 3 });
    const good = recorder('good');
    const slow = gated();
    bus.attach(slow.sink);
    bus.attach(good.sink);
    for (let i = 0; i < 10; i++) bus.publish(down(events, i));
    expect(good.got.filter((e) => e.event_type === 'server_down')).toHaveLength(10);
    slow.open();
    await bus.close();
    expect(slow.got.filter((e) => e.event_type === 'server_down').length).toBe(4);
    const reports = good.got.filter((e) => e.event_type === 'sink_failed');
    expect(reports[0]).toMatchObject({ sink: 'slow', dropped: 1, failures: 1 });
    expect(reports.every((r) => r.sink === 'slow')).toBe(true);
    // Every event the slow sink did not get is accounted for: 6 server_down, and the
    // sink_failed reports that found its buffer full as well.
    const reportsSlowGot = slow.got.filter((e) => e.event_type === 'sink_failed').length;
    const dropped = reports.reduce((n, r) => n + (r.dropped as number), 0);
    expect(dropped).toBe(6 + reports.length - reportsSlowGot);
  });

  it('refuses a sink without a name (it would make sink_failed events invalid)', () => {
    const { bus } = setup();
    expect(() => bus.attach({ name: '', write: () => {} })).toThrow(/non-empty name/);
  });

  it('close drains every sink, closes it, completes the stream and refuses new events', async () => {
    const { bus, events } = setup();
    const slow = gated();
    let closed = false;
    bus.attach({
      ...slow.sink,
      close: () => {
        closed = true;
      },
    });
    let completed = false;
    bus.events$.subscribe({
      complete: () => {
        completed = true;
      },
    });
    bus.publish(down(events, 0));
    const closing = bus.close();
    slow.open();
    await closing;
    expect(slow.got).toHaveLength(1);
    expect(closed).toBe(true);
    expect(completed).toBe(true);
    expect(() => bus.publish(down(events, 1))).toThrow(/closed/);
  });

  it('a batch sink gets what was published in a turn as one batch, in order', async () => {
    const { events, bus } = setup();
    const batches: string[][] = [];
    bus.attach({
      name: 'batch',
      write: () => {
        throw new Error('write must not be called when writeBatch exists');
      },
      writeBatch: (es) => void batches.push(es.map((e) => e.server_name!)),
    });
    for (const name of ['a', 'b', 'c']) bus.publish(events.serverDown({ server_name: name }));
    await bus.drain();
    bus.publish(events.serverDown({ server_name: 'd' }));
    await bus.drain();
    expect(batches).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('a batch window gathers events for batchWindowMs; drain hands them over at once', async () => {
    const { clock, events, bus } = setup();
    const batches: [number, string[]][] = [];
    bus.attach({
      name: 'windowed',
      batchWindowMs: 50,
      write: () => {},
      writeBatch: (es) => void batches.push([clock.now(), es.map((e) => e.server_name!)]),
    });
    const t0 = clock.now();
    const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
    bus.publish(events.serverDown({ server_name: 'a' }));
    await tick();
    clock.advance(20);
    bus.publish(events.serverDown({ server_name: 'b' }));
    await tick();
    clock.advance(29);
    await tick();
    expect(batches).toEqual([]);
    clock.advance(1);
    await tick();
    expect(batches).toEqual([[t0 + 50, ['a', 'b']]]);
    bus.publish(events.serverDown({ server_name: 'c' }));
    await bus.drain();
    expect(batches.at(-1)).toEqual([t0 + 50, ['c']]);
  });
  it('regression: a batch sink detached during its window was handed one empty batch; now none', async () => {
    const { clock, events, bus } = setup();
    const batches: SelfhealEvent[][] = [];
    const attachment = bus.attach({
      name: 'windowed',
      batchWindowMs: 50,
      write: () => {},
      writeBatch: (es) => void batches.push([...es]),
    });
    const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
    bus.publish(events.serverDown({ server_name: 'a' }));
    await tick();
    attachment.detach();
    clock.advance(50);
    await tick();
    expect(batches.every((batch) => batch.length > 0)).toBe(true);
  });
});
