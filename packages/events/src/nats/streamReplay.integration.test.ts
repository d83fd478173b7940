import { join } from 'node:path';
import type { SelfhealEvent } from '@selfheal/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../test/helpers.js';
import { createEventLog } from '../log/eventLog.js';
import { createEventFactory } from '../model/createEvent.js';
import { replayLogs } from '../replay/replay.js';
import { createNatsForwarder } from './natsForwarder.js';
import { connectNats } from './natsLink.js';
import { parseStreamUrl, replayStream } from './streamReplay.js';
import { hasNatsServer, startNatsServer, type TestNatsServer } from './testing/natsServer.js';

describe('parseStreamUrl', () => {
  it('reads host, port and stream', () => {
    expect(parseStreamUrl('nats://127.0.0.1:4222/EVENTS')).toEqual({
      server: 'nats://127.0.0.1:4222',
      stream: 'EVENTS',
    });
  });
  it('names the expected shape for a URL without a stream', () => {
    expect(() => parseStreamUrl('nats://127.0.0.1:4222/')).toThrow(
      /nats:\/\/HOST\[:PORT\]\/STREAM/,
    );
  });
});

// CI installs nats-server (.ci/run): there a missing binary fails instead of skipping.
describe.skipIf(!hasNatsServer() && !process.env.CI)('replayStream against nats-server -js', () => {
  let nats: TestNatsServer;
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    await nats?.dispose();
  });

  it('gives the report a replay of the same events from a file gives', async () => {
    const dir = tempDir();
    let now = Date.UTC(2026, 6, 28, 10);
    const clock = { now: () => now, setTimeout, clearTimeout } as never;
    const events = createEventFactory({ clock, replica: 'gw-a' });
    const link = await connectNats({ servers: [nats.url], stream: 'REPLAY', subject: 'r.ev' });
    const log = await createEventLog({ path: join(dir, 'events.jsonl') });
    const forwarder = createNatsForwarder({ link, replica: 'gw-a', logPath: log.path });
    const emit = async (event: SelfhealEvent) => {
      forwarder.offer(await log.append(event));
      now += 1000;
    };
    for (const name of ['api', 'search']) {
      await emit(events.serverRegistered({ server_name: name, transport: 'streamable-http' }));
    }
    for (let i = 0; i < 50; i++) {
      await emit(
        events.healthCheckCompleted({
          server_name: i % 2 ? 'api' : 'search',
          probe: 'ping',
          status: 'ok',
          response_time_ms: i,
        }),
      );
    }
    await emit(events.serverDown({ server_name: 'api', reason: 'refused' }));
    const midpoint = now - 1;
    await emit(
      events.recoveryStarted({
        server_name: 'api',
        reason: 'refused',
        attempt: 1,
        strategy: 'restart',
      }),
    );
    await emit(events.recoverySuccessful({ server_name: 'api', attempts: 1 }));
    await emit(events.serverRecovered({ server_name: 'api' }));
    await forwarder.drained();
    await log.flush();

    const url = `${nats.url}/REPLAY`;
    const fromStream = await replayStream(url);
    const fromFile = await replayLogs([log.path]);
    expect(fromStream.events_total).toBe(56);
    expect(fromStream.servers).toEqual(fromFile.servers);
    expect(fromStream.ecosystem).toEqual(fromFile.ecosystem);
    expect(fromStream.by_type).toEqual(fromFile.by_type);

    const untilStream = await replayStream(url, { until: midpoint });
    const untilFile = await replayLogs([log.path], { until: midpoint });
    expect(untilStream.servers.api!.state.status).toBe('down');
    expect(untilStream.servers).toEqual(untilFile.servers);
    expect(untilStream.filtered_out).toBe(3);

    // A message that is not an event is counted and listed with its stream sequence.
    await link.js.publish('r.ev.other', 'not json');
    const withBad = await replayStream(url);
    expect(withBad.invalid_lines).toBe(1);
    expect(withBad.invalid[0]).toMatchObject({ line: 57, reason: 'not JSON' });

    await forwarder.close();
    await log.close();
    await link.close();
  });

  it('says which stream is missing', async () => {
    await expect(replayStream(`${nats.url}/NOPE`)).rejects.toThrow(/no JetStream stream "NOPE"/);
  });

  it('says NATS cannot be reached', async () => {
    await expect(replayStream('nats://127.0.0.1:1/EVENTS')).rejects.toThrow(/cannot reach NATS/);
  });
});
