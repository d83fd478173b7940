import type { Clock } from '@selfheal/internal';
import type { LoadedConfig } from '../config/loadConfig.js';
import { GATEWAY_VERSION } from '../version.js';
import type { EventPath } from './eventPath.js';

/**
 * One run of the gateway, `start()` to `stop()`: when it began, whether it is ready, and the
 * trace that ties its `gateway_started` to its `gateway_stopped` (replay resets every server's
 * state at a `gateway_started`, as the process starts afresh).
 */
export interface GatewayRun {
  /** Epoch ms when the gateway was created, then when `start()` was called. */
  readonly startedAt: number;
  /** See `Gateway.ready`; set by `start()` and `stop()`. */
  ready: boolean;
  /** Publishes `gateway_started`: the run begins. */
  begin(): void;
  /** Publishes `gateway_stopped` with `reason` if a run began, and ends it. */
  end(reason: string): void;
}

/** No run yet; its events are built and published on `path`, naming `config`. */
export function createGatewayRun(path: EventPath, config: LoadedConfig, clock: Clock): GatewayRun {
  let startedAt = clock.now();
  /** The trace of the current run (`gateway_started` to `gateway_stopped`), while one runs. */
  let runTrace: string | undefined;
  return {
    get startedAt() {
      return startedAt;
    },
    ready: false,
    begin() {
      startedAt = clock.now();
      const run = path.events.create('gateway_started', {
        pid: process.pid,
        version: GATEWAY_VERSION,
        config: config.source,
        servers: config.upstreams.map((spec) => spec.name),
      });
      runTrace = run.trace_id;
      path.publishNow(run);
    },
    end(reason) {
      if (runTrace !== undefined)
        path.publishNow(
          path.events.create('gateway_stopped', {
            trace_id: runTrace,
            uptime_seconds: Math.max(0, (clock.now() - startedAt) / 1000),
            reason,
          }),
        );
      runTrace = undefined;
    },
  };
}
