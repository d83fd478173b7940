import { spawn } from 'node:child_process';
import type { SelfhealEvent } from '@selfheal/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventFactory } from '../model/createEvent.js';
import { connectNats, type NatsLink } from './natsLink.js';
import { followStream } from './streamReader.js';
import { hasNatsServer, startNatsServer, type TestNatsServer } from './testing/natsServer.js';

describe.skipIf(!hasNatsServer() && !process.env.CI)('followStream against nats-server -js', () => {
  let nats: TestNatsServer;
  const links: NatsLink[] = [];
  beforeAll(async () => {
    nats = await startNatsServer();
  });
  afterAll(async () => {
    for (const link of links) await link.close();
    await nats?.dispose();
  });

  const connect = async (name: string) => {
    const link = await connectNats({ servers: [nats.url], stream: 'FOLLOW', name });
    links.push(link);
    return link;
  };

  it('delivers again within seconds once JetStream is back, after a reconnect it did not answer', async () => {
    const follower = await connect('follower');
    const seen: SelfhealEvent[] = [];
    const following = await followStream(follower, { onEvent: (event) => seen.push(event) });
    const publisher = await connect('publisher');
    const events = createEventFactory({ replica: 'gw-b' });
    const publish = () =>
      publisher.js.publish(
        'selfheal.events.gw-b',
        JSON.stringify(events.serverDisabled({ server_name: 'api', operator: 'ana' })),
      );
    await publish();
    await following.caughtUp();
    expect(seen).toHaveLength(1);
    // A NATS restarted without JetStream ready: the clients reconnect, and the follower's
    // look at its consumer gets no answer. The client's own retry of that look waits the
    // consumer's `expires` (30 s by default), however soon JetStream is back.
    await nats.stop();
    const plain = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(nats.port)], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => setTimeout(r, 2000));
    } finally {
      plain.kill('SIGTERM');
      await new Promise((r) => plain.once('exit', r));
    }
    await nats.start();
    for (;;) {
      try {
        await publish();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // JetStream not back yet
      }
    }
    const storedAt = Date.now();
    while (seen.length < 2 && Date.now() - storedAt < 15_000)
      await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(2);
    expect(Date.now() - storedAt).toBeLessThan(4000);
    await following.stop();
  }, 40_000);
});
