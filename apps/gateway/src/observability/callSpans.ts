import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { EventBus } from '@selfheal/events';
import type { SelfhealEvent } from '@selfheal/schemas';
import { randomHex } from '../randomHex.js';

/** Options of {@link createCallSpans}. */
export interface CallSpansOptions {
  /** The gateway bus; one span per `call_completed`. */
  events$: EventBus['events$'];
  /**
   * Where spans go. @default the registered global tracer provider's tracer, a no-op until the
   * user registers an OpenTelemetry SDK
   */
  tracer?: Tracer;
  /** 16 hex digits for the synthetic parent span id. @default randomHex(8) (pooled CSPRNG) */
  randomSpanId?: () => string;
}

const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;

/**
 * Emits one OpenTelemetry span per `call_completed`: named `<method> <tool>`, kind SERVER,
 * started at `timestamp − latency_ms` and ended at `timestamp`, attributes `selfheal.server`,
 * `selfheal.tool`, `rpc.method`, `selfheal.outcome`, `selfheal.attempts` (and `error_code`,
 * `fallback_server`, `session_id` when present), status ERROR unless the outcome is `ok`. When
 * the event's `trace_id` is a W3C trace id (32 lowercase hex, not all zero) the span joins that
 * trace (under a remote parent with a fresh span id); otherwise it starts a new trace. Returns a
 * function that stops it. Costs a no-op call per event while no SDK is registered.
 */
export function createCallSpans(options: CallSpansOptions): () => void {
  const tracer = options.tracer ?? trace.getTracer('@selfheal/gateway');
  const spanId = options.randomSpanId ?? (() => randomHex(8));
  const subscription = options.events$.subscribe((event) => {
    if (event.event_type !== 'call_completed') return;
    try {
      emit(tracer, event, spanId);
    } catch {
      // A malformed event or a broken exporter must not reach the call path.
    }
  });
  return () => subscription.unsubscribe();
}

function emit(tracer: Tracer, event: SelfhealEvent, spanId: () => string): void {
  const e = event as Record<string, unknown>;
  const end = Date.parse(String(e.timestamp));
  const latency = typeof e.latency_ms === 'number' ? e.latency_ms : 0;
  if (Number.isNaN(end)) return;
  const traceId = typeof e.trace_id === 'string' ? e.trace_id : '';
  const parent = TRACE_ID.test(traceId)
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId,
        spanId: spanId(),
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      })
    : ROOT_CONTEXT;
  const method = String(e.method ?? 'call');
  const attributes: Record<string, string | number> = {
    'selfheal.server': String(e.server_name ?? ''),
    'rpc.method': method,
    'selfheal.outcome': String(e.outcome ?? ''),
    'selfheal.attempts': typeof e.attempts === 'number' ? e.attempts : 0,
  };
  if (typeof e.tool === 'string') attributes['selfheal.tool'] = e.tool;
  for (const key of ['error_code', 'fallback_server', 'session_id'] as const) {
    if (typeof e[key] === 'string') attributes[`selfheal.${key}`] = e[key] as string;
  }
  const span = tracer.startSpan(
    typeof e.tool === 'string' ? `${method} ${e.tool}` : method,
    { kind: SpanKind.SERVER, startTime: end - Math.max(0, latency), attributes },
    parent ?? context.active(),
  );
  if (e.outcome !== 'ok') {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: typeof e.error_code === 'string' ? e.error_code : String(e.outcome),
    });
  }
  span.end(end);
}
