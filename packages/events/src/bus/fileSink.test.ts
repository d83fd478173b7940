import { join } from 'node:path';
import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createManualClock, tempDir } from '../../test/helpers.js';
import { createEventLog } from '../log/eventLog.js';
import { type LogFileSystem, nodeLogFileSystem } from '../log/logFileSystem.js';
import { scanLog } from '../log/logReader.js';
import { createEventFactory } from '../model/createEvent.js';
import { createEventBus } from './eventBus.js';
import { createFileSink } from './fileSink.js';

describe('createFileSink', () => {
  it('appends every published event to the log, in order, with seqs', async () => {
    const clock = createManualClock();
    const events = createEventFactory({ clock });
    const log = await createEventLog({ path: join(tempDir(), 'events.jsonl'), clock });
    const bus = createEventBus({ events, clock });
    bus.attach(createFileSink(log));
    for (let i = 0; i < 50; i++) bus.publish(events.serverDown({ server_name: `s${i}` }));
    await bus.close();
    await log.close();
    const read: SelfhealEvent[] = [];
    await scanLog(log.path, ({ event }) => void read.push(event));
    expect(read.map((e) => [e.seq, e.server_name])).toEqual(
      Array.from({ length: 50 }, (_, i) => [i, `s${i}`]),
    );
  });

  it('a log that refuses events turns into sink_failed for the other sinks', async () => {
    const clock = createManualClock();
    const events = createEventFactory({ clock });
    const log = await createEventLog({ path: join(tempDir(), 'events.jsonl'), clock });
    await log.close();
    const bus = createEventBus({ events, clock });
    const seen: SelfhealEvent[] = [];
    bus.attach(createFileSink(log));
    bus.attach({ name: 'ws', write: (e) => void seen.push(e) });
    bus.publish(events.serverDown({ server_name: 'a' }));
    await bus.drain();
    expect(seen.map((e) => e.event_type)).toEqual(['server_down', 'sink_failed']);
    expect(seen[1]).toMatchObject({ sink: 'file', failures: 1 });
    expect(seen[1]!.error).toMatch(/is closed/);
  });

  it('onAppended sees each event after its append is acknowledged, with its seq, in order', async () => {
    const clock = createManualClock();
    const events = createEventFactory({ clock });
    const log = await createEventLog({ path: join(tempDir(), 'events.jsonl'), clock });
    const bus = createEventBus({ events, clock });
    const appended: [number | undefined, boolean][] = [];
    bus.attach(
      createFileSink(log, {
        // lastSeq at callback time proves the append was accepted before the hook ran (events
        // published in one turn are appended as one batch, so lastSeq may already be further).
        onAppended: (stored) => void appended.push([stored.seq, log.lastSeq >= (stored.seq ?? 0)]),
      }),
    );
    for (let i = 0; i < 3; i++) bus.publish(events.serverDown({ server_name: `s${i}` }));
    await bus.close();
    await log.close();
    expect(appended).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
  });

  it('onAppended is not called for an event the log refused', async () => {
    const clock = createManualClock();
    const events = createEventFactory({ clock });
    const log = await createEventLog({ path: join(tempDir(), 'events.jsonl'), clock });
    await log.close();
    const bus = createEventBus({ events, clock });
    let calls = 0;
    bus.attach(createFileSink(log, { onAppended: () => void calls++ }));
    bus.publish(events.serverDown({ server_name: 'a' }));
    await bus.drain();
    expect(calls).toBe(0);
  });

  it('events published in one turn reach the file in one write', async () => {
    const clock = createManualClock();
    const events = createEventFactory({ clock });
    let writes = 0;
    const counting: LogFileSystem = {
      ...nodeLogFileSystem,
      async open(path) {
        const file = await nodeLogFileSystem.open(path);
        return {
          size: () => file.size(),
          readTail: (bytes) => file.readTail(bytes),
          sync: () => file.sync(),
          close: () => file.close(),
          append(data) {
            writes++;
            return file.append(data);
          },
        };
      },
    };
    const log = await createEventLog({
      path: join(tempDir(), 'events.jsonl'),
      clock,
      fs: counting,
    });
    const bus = createEventBus({ events, clock });
    bus.attach(createFileSink(log));
    for (let i = 0; i < 30; i++) bus.publish(events.serverDown({ server_name: `s${i}` }));
    await bus.drain();
    expect(writes).toBe(1);
    for (let i = 0; i < 5; i++) bus.publish(events.serverDown({ server_name: `t${i}` }));
    await bus.drain();
    expect(writes).toBe(2);
    await bus.close();
    await log.close();
    const read: SelfhealEvent[] = [];
    await scanLog(log.path, ({ event }) => void read.push(event));
    expect(read.map((e) => e.seq)).toEqual(Array.from({ length: 35 }, (_, i) => i));
  });

  it('a batch with one bad event: only that one is reported failed, the others are written', async () => {
    const clock = createManualClock();
    const events = createEventFactory({ clock });
    const log = await createEventLog({ path: join(tempDir(), 'events.jsonl'), clock });
    const bus = createEventBus({ events, clock });
    const seen: SelfhealEvent[] = [];
    bus.attach(createFileSink(log));
    bus.attach({ name: 'ws', write: (e) => void seen.push(e) });
    bus.publish(events.serverDown({ server_name: 'a' }));
    bus.publish({ event_type: 'Not Snake', timestamp: 'x', trace_id: 't' } as SelfhealEvent);
    bus.publish(events.serverDown({ server_name: 'b' }));
    await bus.close();
    await log.close();
    expect(seen.find((e) => e.event_type === 'sink_failed')).toMatchObject({
      sink: 'file',
      failures: 1,
    });
    const read: SelfhealEvent[] = [];
    await scanLog(log.path, ({ event }) => void read.push(event));
    expect(read.map((e) => e.server_name ?? e.event_type)).toEqual(['a', 'b', 'sink_failed']);
  });
});
