// Writes a synthetic health log like a monitor of `servers` servers would: a check per server
// every 30 s, and now and then an incident (failed checks, server_down, restart, recovery).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createEventFactory } from '@selfheal/events';

/** Writes `count` events to `path`; resolves to the bytes written. */
export async function generateHealthLog(path, count, servers = 20) {
  let now = Date.UTC(2026, 0, 1);
  const events = createEventFactory({
    clock: { now: () => now },
    validate: false,
    repo: 'monitor',
  });
  const out = createWriteStream(path);
  let seq = 0;
  let bytes = 0;
  let chunk = [];
  const state = Array.from({ length: servers }, () => ({ failing: 0 }));
  const emit = async (event) => {
    event.seq = seq++;
    const line = `${JSON.stringify(event)}\n`;
    bytes += line.length;
    chunk.push(line);
    if (chunk.length === 5000) {
      if (!out.write(chunk.join(''))) await once(out, 'drain');
      chunk = [];
    }
  };
  let tick = 0;
  while (seq < count) {
    now += 30_000 / servers;
    const i = tick++ % servers;
    const server_name = `server-${String(i).padStart(2, '0')}`;
    const s = state[i];
    if (s.failing === 0 && tick % 997 === 0) s.failing = 3;
    if (s.failing > 0) {
      await emit(
        events.healthCheckCompleted({
          server_name,
          status: 'down',
          response_time_ms: 5000,
          error: 'timeout',
          probe: 'http',
        }),
      );
      s.failing--;
      if (s.failing === 0) {
        await emit(
          events.serverDown({ server_name, consecutive_failures: 3, reason: '3 failed checks' }),
        );
        await emit(
          events.recoveryStarted({
            server_name,
            reason: 'server_down',
            attempt: 1,
            strategy: 'restart',
            delay_ms: 1000,
          }),
        );
        await emit(events.recoverySuccessful({ server_name, attempts: 1, duration_ms: 1200 }));
        await emit(
          events.serverRecovered({ server_name, previous_status: 'down', downtime_seconds: 2 }),
        );
      }
    } else {
      await emit(
        events.healthCheckCompleted({
          server_name,
          status: 'ok',
          response_time_ms: (tick % 50) + 0.5,
          checks: { database: 'ok' },
          probe: 'http',
        }),
      );
    }
  }
  out.end(chunk.join(''));
  await once(out, 'finish');
  return bytes;
}
