import {
  type EventBus,
  type HealthState,
  parseTimestamp,
  type StoredEvent,
} from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import type { SelfhealEvent } from '@selfheal/schemas';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { createLabelCap } from './labelCap.js';

/** Options of {@link createGatewayMetrics}. */
export interface GatewayMetricsOptions {
  /** Every event of the gateway's bus; metrics subscribe at once. */
  events$: EventBus['events$'];
  /** The events projection, read at each scrape for the health gauge. */
  health: () => HealthState;
  /** Reads `now` for event-log lag. */
  clock: Clock;
  /** Servers from the config: always kept as label values. @default none */
  isKnownServer?: (name: string) => boolean;
  /** Tools from the catalogs (exposed names): always kept as label values. @default none */
  isKnownTool?: (name: string) => boolean;
  /** Distinct unknown values kept per label before they become `_other`. @default 50 */
  maxUnknownLabels?: number;
  /** Extra gauges read at scrape time (upstream reachability, open sessions). @default none */
  extra?: (registry: Registry) => void;
}

/** Prometheus metrics derived from the event bus, in their own registry. */
export interface GatewayMetrics {
  /** The registry (never the global one). */
  readonly registry: Registry;
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  /** The text exposition of every metric. */
  render(): Promise<string>;
  /** Records event-log lag for an event the JSONL file has durably appended. */
  observeAppended(stored: StoredEvent): void;
  /** Stops following the bus. Idempotent. */
  close(): void;
}

/** Circuit states as gauge values. */
export const CIRCUIT_STATE_VALUE = {
  circuit_closed: 0,
  circuit_half_opened: 1,
  circuit_opened: 2,
  circuit_isolated: 3,
} as const;

const HEALTH_STATUSES = ['ok', 'degraded', 'down', 'unknown'] as const;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * Creates the gateway's Prometheus metrics: call latency and outcomes (`call_completed`),
 * retries (`retry_attempted`), breaker state (`circuit_*`), restarts (`recovery_started`,
 * `server_started`), health status (the projection), and event-log lag (publication to durable
 * append). Every label value passes a cardinality cap. A malformed event is skipped, never
 * thrown on.
 */
export function createGatewayMetrics(options: GatewayMetricsOptions): GatewayMetrics {
  const registry = new Registry();
  const max = options.maxUnknownLabels ?? 50;
  const server = createLabelCap(options.isKnownServer, max);
  const tool = createLabelCap(options.isKnownTool, max);
  const circuitLabel = createLabelCap((c) => options.isKnownServer?.(c) ?? false, max);
  const latency = new Histogram({
    name: 'selfheal_call_duration_seconds',
    help: 'Latency of downstream calls, every policy included, by server, tool and method.',
    labelNames: ['server', 'tool', 'method'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const calls = new Counter({
    name: 'selfheal_calls_total',
    help: 'Downstream calls by server, tool and outcome (ok, tool_error, error, timeout, rejected, cancelled).',
    labelNames: ['server', 'tool', 'outcome'],
    registers: [registry],
  });
  const retries = new Counter({
    name: 'selfheal_retries_total',
    help: 'Retries started (retry_attempted) by server.',
    labelNames: ['server'],
    registers: [registry],
  });
  const circuit = new Gauge({
    name: 'selfheal_circuit_state',
    help: 'Breaker state per circuit: 0 closed, 1 half-open, 2 open, 3 isolated.',
    labelNames: ['server', 'circuit'],
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'selfheal_recoveries_started_total',
    help: 'Recovery attempts started (recovery_started) by server.',
    labelNames: ['server'],
    registers: [registry],
  });
  const starts = new Counter({
    name: 'selfheal_server_starts_total',
    help: 'Upstream processes or connections started (server_started) by server.',
    labelNames: ['server'],
    registers: [registry],
  });
  const violations = new Counter({
    name: 'selfheal_protocol_violations_total',
    help: 'Protocol violations logged (protocol_violation; one per server, kind and tool a minute) by server and kind (output_schema, invalid_message).',
    labelNames: ['server', 'kind'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'selfheal_event_log_lag_seconds',
    help: 'Time from an event being published to its durable append in the JSONL log.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'selfheal_server_health',
    help: 'Settled health per server from the events projection: 1 for its current status.',
    labelNames: ['server', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, h] of Object.entries(options.health().servers)) {
        const label = server(name);
        for (const status of HEALTH_STATUSES) {
          this.set({ server: label, status }, h.status === status ? 1 : 0);
        }
      }
    },
  });
  options.extra?.(registry);

  const apply = (event: SelfhealEvent) => {
    const e = event as Record<string, unknown>;
    switch (event.event_type) {
      case 'call_completed': {
        const labels = { server: server(e.server_name), tool: tool(e.tool ?? '') };
        const ms = e.latency_ms;
        if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) {
          latency.observe({ ...labels, method: methodLabel(e.method) }, ms / 1000);
        }
        calls.inc({ ...labels, outcome: outcomeLabel(e.outcome) });
        return;
      }
      case 'retry_attempted':
        retries.inc({ server: server(e.server_name) });
        return;
      case 'recovery_started':
        restarts.inc({ server: server(e.server_name) });
        return;
      case 'server_started':
        starts.inc({ server: server(e.server_name) });
        return;
      case 'protocol_violation':
        violations.inc({ server: server(e.server_name), kind: violationKindLabel(e.kind) });
        return;
      case 'circuit_closed':
      case 'circuit_half_opened':
      case 'circuit_opened':
      case 'circuit_isolated':
        circuit.set(
          { server: server(e.server_name), circuit: circuitLabel(e.circuit ?? e.server_name) },
          CIRCUIT_STATE_VALUE[event.event_type],
        );
        return;
    }
  };
  const subscription = options.events$.subscribe((event) => {
    try {
      apply(event);
    } catch {
      // A malformed event must not stop the metrics; the log keeps it for inspection.
    }
  });

  return {
    registry,
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observeAppended(stored) {
      const published = parseTimestamp(String(stored.timestamp));
      if (Number.isNaN(published)) return;
      lag.observe(Math.max(0, options.clock.now() - published) / 1000);
    },
    close: () => subscription.unsubscribe(),
  };
}

const METHODS = new Set([
  'tools/call',
  'tools/list',
  'resources/read',
  'resources/list',
  'resources/templates/list',
  'prompts/get',
  'prompts/list',
  'completion/complete',
  'ping',
]);
const OUTCOMES = new Set(['ok', 'tool_error', 'error', 'timeout', 'rejected', 'cancelled']);

const VIOLATION_KINDS = new Set(['output_schema', 'invalid_message']);

/** A label value from a known set, else `other`: a metric's label set stays bounded. */
const labelIn =
  (known: ReadonlySet<string>) =>
  (value: unknown): string =>
    typeof value === 'string' && known.has(value) ? value : 'other';

const methodLabel = labelIn(METHODS);
const violationKindLabel = labelIn(VIOLATION_KINDS);
const outcomeLabel = labelIn(OUTCOMES);
