import { createEventFactory } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../config/loadConfig.js';
import { createGateway } from '../gateway.js';
import { createHttpServer } from '../http/httpServer.js';
import { createLabelCap, OTHER_LABEL } from './labelCap.js';

const T0 = Date.UTC(2026, 10, 21, 10);
const clock: Clock = { now: () => T0, setTimeout: () => 0, clearTimeout: () => {} };

/** `name{labels} value` lines as a map from `name{labels}` to the number. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

const raw = (fields: Record<string, unknown>) =>
  ({ timestamp: new Date(T0).toISOString(), trace_id: 't', ...fields }) as never;

async function startGateway() {
  const config = resolveConfig(
    { mcpServers: { alpha: { url: 'http://127.0.0.1:9/mcp' } }, gateway: { port: 0 } },
    'test',
  );
  const events = createEventFactory({ clock });
  const gateway = createGateway({ config, clock, events });
  const http = createHttpServer({ gateway, tokens: [] });
  const { port } = await http.listen();
  const scrape = async () => {
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(await res.text());
  };
  return {
    gateway,
    events,
    scrape,
    stop: async () => {
      await http.close();
      await gateway.stop();
    },
  };
}

describe('GET /metrics', () => {
  it('counts calls by outcome and buckets their latency per server and tool', async () => {
    const gw = await startGateway();
    const call = (latency_ms: number, outcome: string, tool = 'alpha_echo') =>
      gw.gateway.bus.publish(
        raw({
          event_type: 'call_completed',
          trace_id: 't',
          server_name: 'alpha',
          method: 'tools/call',
          tool,
          latency_ms,
          attempts: 1,
          outcome,
        } as never),
      );
    call(3, 'ok');
    call(40, 'ok');
    call(2000, 'timeout');
    const m = await gw.scrape();
    expect(m.get('selfheal_calls_total{server="alpha",tool="alpha_echo",outcome="ok"}')).toBe(2);
    expect(m.get('selfheal_calls_total{server="alpha",tool="alpha_echo",outcome="timeout"}')).toBe(
      1,
    );
    const bucket = (le: string) =>
      m.get(
        `selfheal_call_duration_seconds_bucket{le="${le}",server="alpha",tool="alpha_echo",method="tools/call"}`,
      );
    expect(bucket('0.005')).toBe(1);
    expect(bucket('0.05')).toBe(2);
    expect(bucket('1')).toBe(2);
    expect(bucket('2.5')).toBe(3);
    expect(
      m.get(
        'selfheal_call_duration_seconds_sum{server="alpha",tool="alpha_echo",method="tools/call"}',
      ),
    ).toBeCloseTo(2.043, 6);
    await gw.stop();
  });

  it('follows retries, breaker state, restarts and health from the events', async () => {
    const gw = await startGateway();
    const { bus } = gw.gateway;
    const e = (fields: Record<string, unknown>) =>
      bus.publish(raw({ trace_id: 't', server_name: 'alpha', ...fields } as never));
    e({ event_type: 'retry_attempted', attempt: 2, delay_ms: 10, reason: 'x' });
    e({ event_type: 'retry_attempted', attempt: 3, delay_ms: 20, reason: 'x' });
    e({
      event_type: 'circuit_opened',
      circuit: 'alpha',
      reason: 'consecutive_failures',
      ejections: 1,
      open_ms: 5,
    });
    let m = await gw.scrape();
    expect(m.get('selfheal_retries_total{server="alpha"}')).toBe(2);
    expect(m.get('selfheal_circuit_state{server="alpha",circuit="alpha"}')).toBe(2);
    e({ event_type: 'circuit_half_opened', circuit: 'alpha', probes: 1 });
    e({ event_type: 'recovery_started', reason: 'down', attempt: 1, strategy: 'restart' });
    e({ event_type: 'server_down', error: 'gone' });
    m = await gw.scrape();
    expect(m.get('selfheal_circuit_state{server="alpha",circuit="alpha"}')).toBe(1);
    expect(m.get('selfheal_recoveries_started_total{server="alpha"}')).toBe(1);
    expect(m.get('selfheal_server_health{server="alpha",status="down"}')).toBe(1);
    expect(m.get('selfheal_server_health{server="alpha",status="ok"}')).toBe(0);
    e({ event_type: 'circuit_closed', circuit: 'alpha' });
    e({ event_type: 'server_recovered' });
    m = await gw.scrape();
    expect(m.get('selfheal_circuit_state{server="alpha",circuit="alpha"}')).toBe(0);
    expect(m.get('selfheal_server_health{server="alpha",status="ok"}')).toBe(1);
    expect(m.get('selfheal_sessions')).toBe(0);
    e({ event_type: 'protocol_violation', kind: 'output_schema', tool: 'echo', error: 'x' });
    e({ event_type: 'protocol_violation', kind: 'invalid_message', error: 'x' });
    e({ event_type: 'protocol_violation', kind: 'invalid_message', error: 'y' });
    m = await gw.scrape();
    expect(m.get('selfheal_protocol_violations_total{server="alpha",kind="output_schema"}')).toBe(
      1,
    );
    expect(m.get('selfheal_protocol_violations_total{server="alpha",kind="invalid_message"}')).toBe(
      2,
    );
    await gw.stop();
  });

  it('measures event-log lag from publication to durable append', async () => {
    const gw = await startGateway();
    const stored = { ...gw.events.serverDown({ server_name: 'alpha' }), seq: 0 };
    stored.timestamp = new Date(T0 - 30).toISOString();
    gw.gateway.metrics.observeAppended(stored as never);
    const m = await gw.scrape();
    expect(m.get('selfheal_event_log_lag_seconds_count')).toBe(1);
    expect(m.get('selfheal_event_log_lag_seconds_sum')).toBeCloseTo(0.03, 6);
    expect(m.get('selfheal_event_log_lag_seconds_bucket{le="0.025"}')).toBe(0);
    expect(m.get('selfheal_event_log_lag_seconds_bucket{le="0.05"}')).toBe(1);
    await gw.stop();
  });

  it('caps unknown tool names at maxUnknownLabels and skips malformed events', async () => {
    const gw = await startGateway();
    for (let i = 0; i < 60; i++) {
      gw.gateway.bus.publish({
        event_type: 'call_completed',
        trace_id: 't',
        timestamp: new Date(T0).toISOString(),
        server_name: 'alpha',
        method: 'tools/call',
        tool: `random_${i}`,
        latency_ms: 1,
        attempts: 1,
        outcome: 'ok',
      });
    }
    gw.gateway.bus.publish({ event_type: 'call_completed', latency_ms: 'fast' } as never);
    const m = await gw.scrape();
    const series = [...m.keys()].filter((k) => k.startsWith('selfheal_calls_total{'));
    expect(series.length).toBe(52);
    expect(m.get(`selfheal_calls_total{server="alpha",tool="${OTHER_LABEL}",outcome="ok"}`)).toBe(
      10,
    );
    await gw.stop();
  });
});

describe('createLabelCap', () => {
  it('keeps known values past the limit and folds the rest into _other', () => {
    const cap = createLabelCap((v) => v.startsWith('k'), 2);
    expect(['a', 'b', 'c', 'a', 'k1', 'k2', 'k3'].map(cap)).toEqual([
      'a',
      'b',
      OTHER_LABEL,
      'a',
      'k1',
      'k2',
      'k3',
    ]);
  });
});
