import { trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createEventBus, createEventFactory } from '@selfheal/events';
import { afterEach, describe, expect, it } from 'vitest';
import { createCallSpans } from './callSpans.js';

const clock = { now: () => Date.UTC(2026, 10, 21, 10), setTimeout: () => 0, clearTimeout() {} };
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const call = (fields: Record<string, unknown> = {}) =>
  ({
    event_type: 'call_completed',
    timestamp: '2026-11-21T10:00:01.000Z',
    trace_id: TRACE,
    server_name: 'alpha',
    method: 'tools/call',
    tool: 'alpha_echo',
    latency_ms: 250,
    attempts: 2,
    outcome: 'ok',
    ...fields,
  }) as never;

function setup() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const bus = createEventBus({ events: createEventFactory({ clock }), clock });
  return { exporter, provider, bus };
}

afterEach(() => trace.disable());

describe('createCallSpans', () => {
  it('makes one span per call, timed from the event, in the event trace', () => {
    const { exporter, provider, bus } = setup();
    createCallSpans({ events$: bus.events$, tracer: provider.getTracer('t') });
    bus.publish(call());
    bus.publish({ event_type: 'server_down', timestamp: '2026-11-21T10:00:00Z', trace_id: 't' });
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.name).toBe('tools/call alpha_echo');
    expect(span.spanContext().traceId).toBe(TRACE);
    const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
    expect(ms(span.startTime)).toBe(Date.UTC(2026, 10, 21, 10, 0, 0, 750));
    expect(ms(span.endTime)).toBe(Date.UTC(2026, 10, 21, 10, 0, 1));
    expect(span.attributes).toMatchObject({
      'selfheal.server': 'alpha',
      'selfheal.tool': 'alpha_echo',
      'rpc.method': 'tools/call',
      'selfheal.outcome': 'ok',
      'selfheal.attempts': 2,
    });
    expect(span.status.code).toBe(0);
  });

  it('marks a failed call as an error and starts a new trace for a non-W3C trace id', () => {
    const { exporter, provider, bus } = setup();
    createCallSpans({ events$: bus.events$, tracer: provider.getTracer('t') });
    bus.publish(call({ outcome: 'timeout', trace_id: 'req-42', error_code: 'TIMEOUT' }));
    const span = exporter.getFinishedSpans()[0]!;
    expect(span.status).toEqual({ code: 2, message: 'TIMEOUT' });
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.spanContext().traceId).not.toBe('req-42');
  });

  it('uses the globally registered SDK by default, and nothing before one is registered', () => {
    const { exporter, provider, bus } = setup();
    const stop = createCallSpans({ events$: bus.events$ });
    bus.publish(call());
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    trace.setGlobalTracerProvider(provider);
    bus.publish(call());
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    stop();
    bus.publish(call());
    expect(exporter.getFinishedSpans()).toHaveLength(1);
  });
});
