import type { EventBus, EventFactory, HealthState, ServingReplicas } from '@selfheal/events';
import { type Clock, systemClock } from '@selfheal/internal';
import type { Monitor, Spawner } from '@selfheal/monitor';
import type { UpstreamPolicy } from '@selfheal/resilience';
import type { EcosystemHealth, SelfhealEvent } from '@selfheal/schemas';
import type { EventEmitter } from 'eventemitter3';
import type { Observable } from 'rxjs';
import type { ConfigDiff } from './config/configDiff.js';
import type { LoadedConfig, UpstreamSpec } from './config/loadConfig.js';
import { openClientSession, type SessionHost } from './gateway/clientSessions.js';
import { createConfigReload, type ReloadTrigger } from './gateway/configReload.js';
import { createGatewayContext, setUpstreams } from './gateway/context.js';
import { hideToolsWhileDown } from './gateway/degradation.js';
import { createEventPath } from './gateway/eventPath.js';
import { createGatewayMonitor } from './gateway/gatewayMonitor.js';
import { createGatewayPolicies } from './gateway/gatewayPolicies.js';
import { createGatewayRun } from './gateway/gatewayRun.js';
import { createMetricsOf, ecosystemWithTrust, trustViewOf } from './gateway/healthViews.js';
import { type GatewayParts, startGateway, stopGateway } from './gateway/lifecycle.js';
import { createListChanges } from './gateway/listChanges.js';
import { createUpstream, followHealth } from './gateway/upstreamWiring.js';
import type { GatewayMetrics } from './observability/gatewayMetrics.js';
import { composeInstructions, type GatewaySession } from './session/gatewaySession.js';
import type { ToolCallHost } from './session/toolCall.js';
import { createStatelessGateway, type StatelessGateway } from './stateless/statelessGateway.js';
import type { TrustGuard } from './trust/trustGuard.js';
import type { TransportFactory } from './upstream/transportFactory.js';
import type { UpstreamServer, UpstreamState } from './upstream/upstreamServer.js';

/** Options of {@link createGateway}; every dependency is injectable. */
export interface GatewayOptions {
  config: LoadedConfig;
  /**
   * Opens connections to upstreams: the shared connection to HTTP and SSE servers, and the
   * sessions clients get of their own (RFC 0010).
   * @default defaultTransportFactory (child processes, HTTP, SSE)
   */
  factory?: TransportFactory;
  /**
   * Starts the monitor's supervised processes: the one stdio process per server that the
   * gateway's own session runs over. @default createNodeSpawner()
   */
  spawner?: Spawner;
  /** Check timers share wake-ups on a grid of this many ms (see `createMonitor`). @default 100 */
  checkSlotMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Builds the events the gateway publishes. @default a factory on `clock`, repo from config */
  events?: EventFactory;
  /**
   * Where events go; attach sinks (the JSONL log) to it. The gateway's projection and
   * `/health/stream` follow it. @default a bus with no sinks
   */
  bus?: EventBus;
  /**
   * Runs the queue of finished calls' `call_completed` events after their answers are written
   * (see `createAfterAnswer`). Events of other types publish at once, after the queued ones.
   * @default setImmediate
   */
  scheduleAfterAnswer?: (run: () => void) => void;
  /**
   * Replicas sharing one event stream (RFC 0018): this replica's name, every event of the
   * stream, and whether it probes remote servers now. @default one gateway on its own
   */
  fleet?: FleetOptions;
}

/** How a gateway replica takes part in a fleet (RFC 0018); the NATS side lives in the command. */
export interface FleetOptions {
  /** This replica's name: the `replica` field of every event it emits. */
  replica: string;
  /**
   * Every event of the shared stream in stream order, this replica's own included (they come
   * back through the stream). The fleet's health (`/health/ecosystem`, `/health/stream`,
   * routing to remote servers) is the fold of this, as `selfheal replay nats://...` folds it.
   */
  events$: Observable<SelfhealEvent>;
  /**
   * Whether this replica probes and recovers remote (HTTP, SSE) servers now: it holds the
   * lease. Each replica always supervises its own stdio processes. @default always
   */
  probesRemote?: () => boolean;
  /**
   * Whether this replica has read the stream as far as it stood when the replica joined: what
   * is decided at start from the fleet's past (a config disable to undo) waits for it, and is
   * skipped when the stream was not read in time. @default always (a stream fed by hand)
   */
  caughtUp?: () => boolean;
}

/** Events of a gateway. */
export interface GatewayEvents {
  /** An upstream changed state (connecting, up, down). */
  upstream: (server: string, state: UpstreamState, previous: UpstreamState) => void;
  /** Something a person should know that is not an error (a hidden duplicate name). */
  warning: (message: string) => void;
}

/** What {@link Gateway.reload} did. */
export interface ReloadOutcome extends ConfigDiff {
  /** Whether the exposed tools changed, so clients were sent `tools/list_changed`. */
  toolsChanged: boolean;
}

/** The gateway without its listeners: upstreams, their catalogs, and client sessions. */
export interface Gateway extends EventEmitter<GatewayEvents> {
  /** The config in force: the one it was created with, or the last one {@link reload} took. */
  readonly config: LoadedConfig;
  readonly upstreams: readonly UpstreamServer[];
  /** Epoch ms when `start()` was called. */
  readonly startedAt: number;
  readonly clock: Clock;
  /** The event bus every gateway event goes through. */
  readonly bus: EventBus;
  /** Builds the events the gateway publishes on {@link bus}. */
  readonly events: EventFactory;
  /** Prometheus metrics derived from every event on the bus (`GET /metrics`). */
  readonly metrics: GatewayMetrics;
  /**
   * The in-process monitor (RFC 0007): it owns each stdio server's process and the gateway's
   * own session with every server, checks them, and recovers them; its events go on {@link bus}.
   */
  readonly monitor: Monitor;
  /**
   * Trust scores, quarantine and tool pinning (RFC 0017): the fold of the trust events on
   * {@link bus}, and what the operator's `approve` changes.
   */
  readonly trust: TrustGuard;
  /** Each server's resilience policy (breaker, retry budget, ...), by server name. */
  readonly policies: ReadonlyMap<string, UpstreamPolicy>;
  /**
   * Whether calls skip `server` now: its connection is down, or the health projection says it
   * is down, failed (recovery exhausted) or disabled.
   */
  isDown(server: string): boolean;
  /** Per-server health: the projection of every event on the bus so far. */
  health(): HealthState;
  /** Which replicas serve each server in {@link health} (RFC 0018; one gateway: `''`). */
  serving(): ServingReplicas;
  /** The W3 roll-up of {@link health} (`GET /health/ecosystem`). */
  ecosystem(): EcosystemHealth;
  /**
   * What `/health/stream` shows: the bus's events; in a fleet (RFC 0018), this replica's as they
   * happen and the other replicas' as the stream delivers them.
   */
  readonly shown$: Observable<SelfhealEvent>;
  /** This replica's name in a fleet, else undefined. */
  readonly replica: string | undefined;
  /**
   * Starts the monitor (every stdio process, every session, in parallel) and resolves once each
   * upstream has been listed or has failed its first attempt; a failing server never fails the
   * start.
   * @throws GatewayError(NAME_COLLISION) when `on_collision` is `error` and two reachable
   * servers expose the same tool or prompt name.
   */
  start(): Promise<void>;
  /** A new client session (one per Streamable HTTP session, one for stdio). */
  createSession(): GatewaySession;
  /**
   * The stateless face (MCP 2026-07-28, RFC 0013): requests that carry their client in
   * `_meta`, served without a session over the servers' shared connections.
   */
  readonly stateless: StatelessGateway;
  /**
   * Takes a new, already validated config while running (RFC 0019): servers whose resolved
   * entry changed are restarted, added ones started, removed ones stopped; every other server,
   * client session and call in flight goes on untouched. Settings a running gateway cannot take
   * (see `ConfigDiff.restartRequired`) keep their old values. Publishes `config_reloaded`, and
   * sends clients `list_changed` when what they can list changed. Reloads run one at a time.
   */
  reload(next: LoadedConfig, trigger?: 'file' | 'signal' | 'request'): Promise<ReloadOutcome>;
  /**
   * True once `start()` has finished (the config is loaded and every server was started, up
   * or not) and until `stop()` begins: `GET /readyz`.
   */
  readonly ready: boolean;
  /**
   * Closes every session, stops the monitor and its processes. Idempotent. `gateway_stopped`
   * (with `reason`, default `stop`; a signal's name from the CLI) is the first event of it.
   */
  stop(reason?: string): Promise<void>;
}

export { SHARED_CLIENT_CAPABILITIES } from './gateway/gatewayMonitor.js';

/**
 * Creates a gateway from a loaded config; nothing connects before `start()`. Wires the parts
 * under `gateway/`: they are made in this order because several subscribe to the bus as they are
 * made (the projections first, then trust, the health following, the metrics), and the bus
 * delivers to its subscribers in that order.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, fleet } = options;
  const clock = options.clock ?? systemClock;
  const path = createEventPath(options, fleet, config.eventEmission.repo, clock);
  const { events, bus, afterAnswer, projector } = path;
  const run = createGatewayRun(path, config, clock);
  const ctx = createGatewayContext(options, path, clock);
  const { trust, upstreams, upstreamByName, emitter } = ctx;
  const watching = createGatewayMonitor(ctx, options);
  const { monitor } = watching;
  const lists = createListChanges(ctx.sessions);
  const createUpstreamOf = (spec: UpstreamSpec) =>
    createUpstream(ctx, monitor, lists.announce, spec);
  setUpstreams(ctx, config.upstreams.map(createUpstreamOf));
  const unfollowHealth = followHealth(ctx);
  const viewOf = trustViewOf(trust);
  const metrics = createMetricsOf(ctx, viewOf);
  const policies = createGatewayPolicies(path, clock);
  for (const upstream of upstreams) policies.add(config, upstream);
  // The routing state already reads the projection (down, failed, disabled), and lets a server
  // that answers again through before its W3 `server_recovered` (RFC 0008).
  const isDown = (server: string) => upstreamByName.get(server)?.state.status === 'down';
  // A tool or server held or released: every client lists again.
  trust.onListChanged((server) => upstreamByName.get(server)?.emit('listChanged', 'tools/list'));
  const calls: ToolCallHost = {
    trust,
    policies: policies.policies,
    bus,
    events,
    clock,
    emitter: policies.emitter,
    isDown,
    defer: afterAnswer.defer,
  };
  const stopHiding = hideToolsWhileDown(path.shown$, config.gateway, upstreamByName);
  // Read per call by every router, so a reload's chains apply to sessions already open.
  const fallbackChains: Record<string, string[]> = { ...config.document.fallbacks };
  const stateless = createStatelessGateway({
    upstreams,
    upstreamsGeneration: () => ctx.upstreamsGeneration,
    listChanges: lists.listen,
    settings: config.gateway,
    factory: ctx.factory,
    calls,
    fallbacks: fallbackChains,
    serverInfo: ctx.serverInfo,
    instructions: () => composeInstructions(upstreams),
    clock,
    onWarning: (message) => emitter.emit('warning', message),
  });
  const reloads = createConfigReload({
    ctx,
    monitor,
    policies,
    fallbackChains,
    announce: lists.announce,
    createUpstream: createUpstreamOf,
  });
  const sessionHost: SessionHost = {
    calls,
    fallbacks: fallbackChains,
    onAnswer: afterAnswer.flush,
  };
  const parts: GatewayParts = {
    ctx,
    run,
    monitor,
    afterMonitorStart: watching.enableConfigDisabled,
    reloads,
    stateless,
    policies,
    metrics,
    unsubscribe: [stopHiding, unfollowHealth, watching.close],
  };

  const gateway = emitter as Gateway;
  Object.defineProperties(gateway, {
    config: { get: () => reloads.current },
    upstreams: { value: upstreams },
    clock: { value: clock },
    bus: { value: bus },
    events: { value: events },
    metrics: { value: metrics },
    monitor: { value: monitor },
    policies: { value: policies.policies },
    trust: { value: trust },
    stateless: { value: stateless },
    shown$: { value: path.shown$ },
    replica: { value: fleet?.replica },
    startedAt: { get: () => run.startedAt },
    ready: { get: () => run.ready },
  });
  Object.assign(gateway, {
    isDown,
    health: () => projector.state(),
    serving: () => projector.serving(),
    ecosystem: () => ecosystemWithTrust(projector.state(), clock, viewOf),
    start: () => startGateway(parts),
    reload(next: LoadedConfig, trigger: ReloadTrigger = 'request') {
      return reloads.reload(next, trigger);
    },
    createSession: () => openClientSession(ctx, sessionHost),
    stop: (reason = 'stop') => stopGateway(parts, reason),
  });
  return gateway;
}
