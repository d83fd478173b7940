import type { EventBus, EventFactory } from '@selfheal/events';
import type { UpstreamServer, UpstreamState } from '../upstream/upstreamServer.js';

/**
 * Publishes what the gateway's own connection to each upstream sees, as W3 events, until the
 * monitor takes over probing and recovery: `server_registered` at once; per connection result
 * a `health_check_completed` (probe `connect`); `server_down` / `server_recovered` on status
 * changes; `recovery_started` / `recovery_successful` around reconnects; `recovery_exhausted`
 * when reconnects stop. One down episode shares one `trace_id`. Returns an unsubscribe.
 */
export function publishUpstreamEvents(
  upstreams: readonly UpstreamServer[],
  bus: EventBus,
  events: EventFactory,
): () => void {
  const offs = upstreams.map((upstream) => {
    const server_name = upstream.spec.name;
    bus.publish(events.serverRegistered({ server_name, transport: upstream.spec.transport }));
    let episode: string | undefined;
    let attempts = 0;
    let everUp = false;
    const trace = () => (episode === undefined ? {} : { trace_id: episode });

    const onStatus = (state: UpstreamState, previous: UpstreamState) => {
      if (state.status === 'up') {
        if (!everUp) bus.publish(events.serverStarted({ server_name }));
        everUp = true;
        bus.publish(
          events.healthCheckCompleted({
            server_name,
            status: 'ok',
            response_time_ms: Math.max(0, state.since - previous.since),
            probe: 'connect',
            ...trace(),
          }),
        );
        if (attempts > 0)
          bus.publish(events.recoverySuccessful({ server_name, attempts, ...trace() }));
        bus.publish(
          events.serverRecovered({
            server_name,
            previous_status: previous.status === 'down' ? 'down' : 'unknown',
            ...(previous.status === 'down'
              ? { downtime_seconds: Math.max(0, (state.since - previous.since) / 1000) }
              : {}),
            ...trace(),
          }),
        );
        episode = undefined;
        attempts = 0;
        return;
      }
      if (state.status !== 'down') return;
      if (previous.status !== 'down') {
        const down = events.serverDown({
          server_name,
          previous_status: previous.status === 'up' ? 'ok' : 'unknown',
          reason: state.error,
        });
        episode = down.trace_id;
        bus.publish(
          events.healthCheckCompleted({
            server_name,
            status: 'down',
            response_time_ms: 0,
            error: state.error,
            probe: 'connect',
            trace_id: episode,
          }),
        );
        bus.publish(down);
      } else {
        bus.publish(events.recoveryFailed({ server_name, error: state.error, ...trace() }));
      }
      if (state.retryAt === undefined)
        bus.publish(
          events.recoveryExhausted({
            server_name,
            requires_manual: true,
            attempts: state.attempt,
            ...trace(),
          }),
        );
    };
    const onReconnect = (attempt: number, delayMs: number) => {
      attempts = attempt;
      const state = upstream.state;
      bus.publish(
        events.recoveryStarted({
          server_name,
          reason: state.status === 'down' ? state.error : 'reconnect',
          attempt,
          strategy: 'restart',
          delay_ms: delayMs,
          ...trace(),
        }),
      );
    };
    upstream.on('status', onStatus);
    upstream.on('reconnecting', onReconnect);
    return () => {
      upstream.off('status', onStatus);
      upstream.off('reconnecting', onReconnect);
    };
  });
  return () => {
    for (const off of offs) off();
  };
}
