import type { Implementation } from '@modelcontextprotocol/server';
import {
  createEventBus,
  createEventFactory,
  createHealthProjector,
  type EventBus,
  type EventFactory,
  type HealthState,
  PROJECTED_EVENT_TYPES,
  rollUpEcosystem,
  type ServingReplicas,
  trustView,
} from '@selfheal/events';
import { type Clock, systemClock } from '@selfheal/internal';
import type { MonitoredServer } from '@selfheal/monitor';
import {
  createMonitor,
  createMonitorStore,
  createNodeSpawner,
  type Monitor,
  type Spawner,
} from '@selfheal/monitor';
import type { UpstreamPolicy } from '@selfheal/resilience';
import type { EcosystemHealth, SelfhealEvent } from '@selfheal/schemas';
import { EventEmitter } from 'eventemitter3';
import { merge, type Observable, Subject } from 'rxjs';
import { filter } from 'rxjs/operators';
import { type ConfigDiff, diffConfigs, LIVE_GATEWAY_SETTINGS } from './config/configDiff.js';
import type { LoadedConfig, UpstreamSpec } from './config/loadConfig.js';
import { createToolFilter, exposeName, resolveCollisions } from './naming.js';
import { createGatewayMetrics, type GatewayMetrics } from './observability/gatewayMetrics.js';
import { createRepeatFilter } from './observability/repeatFilter.js';
import { registerUpstreamGauge } from './observability/upstreamGauge.js';
import { createAfterAnswer } from './session/afterAnswer.js';
import {
  composeInstructions,
  createGatewaySession,
  type GatewaySession,
} from './session/gatewaySession.js';
import { busEmitter, createServerPolicy, followRecovery } from './session/serverPolicies.js';
import type { ToolCallHost } from './session/toolCall.js';
import { createStatelessGateway, type StatelessGateway } from './stateless/statelessGateway.js';
import { createTrustGuard, type TrustGuard } from './trust/trustGuard.js';
import { registerTrustGauges } from './trust/trustView.js';
import { LIST_CHANGED_NOTIFICATION, type ListMethod } from './upstream/catalog.js';
import { createEraAdapter, ERA_PROBE_MS } from './upstream/eraAdapter.js';
import { reportInvalidMessages } from './upstream/invalidMessages.js';
import { notificationsFirst } from './upstream/notificationsFirst.js';
import {
  createStatelessHttpTransport,
  type StatelessTarget,
} from './upstream/statelessHttpTransport.js';
import { defaultTransportFactory, type TransportFactory } from './upstream/transportFactory.js';
import {
  createUpstreamServer,
  type UpstreamServer,
  type UpstreamState,
} from './upstream/upstreamServer.js';
import { GATEWAY_VERSION } from './version.js';

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

/**
 * What the gateway's shared connection declares to every server (RFC 0010): sampling and
 * elicitation, which it passes to the client whose call caused them; not roots, which are one
 * client's and have no place on a connection every client shares.
 */
export const SHARED_CLIENT_CAPABILITIES = { sampling: {}, elicitation: {} };

/** Creates a gateway from a loaded config; nothing connects before `start()`. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config } = options;
  const factory = options.factory ?? defaultTransportFactory;
  const clock = options.clock ?? systemClock;
  const emitter = new EventEmitter<GatewayEvents>();
  const serverInfo: Implementation = { name: 'selfheal', version: GATEWAY_VERSION };
  const sessions = new Set<GatewaySession>();
  let startedAt = clock.now();
  /** The trace of the current run (`gateway_started` to `gateway_stopped`), while one runs. */
  let runTrace: string | undefined;
  let ready = false;
  const repo = config.eventEmission.repo;
  // Every event the gateway and its monitor build comes from typed fields the tests check
  // against the schema (RFC 0007): no schema pass per event, and so none per call either.
  const fleet = options.fleet;
  const events =
    options.events ??
    createEventFactory({
      clock,
      repo,
      validate: false,
      ...(fleet === undefined ? {} : { replica: fleet.replica }),
    });
  const bus = options.bus ?? createEventBus({ events, clock });
  // A call's call_completed goes out after its answer; any other event first flushes the queue,
  // so the bus keeps the order in which things happened.
  const afterAnswer = createAfterAnswer(options.scheduleAfterAnswer);
  const publishNow = (event: SelfhealEvent) => {
    afterAnswer.flush();
    bus.publish(event);
  };
  // This replica's own view, from its bus; in a fleet, routing to a stdio server (a process of
  // this replica's own) reads it.
  const local = createHealthProjector();
  // The projection subscribes before anything is published, so it sees every event.
  const localProjection = bus.events$.subscribe((event) => local.apply(event));
  // The health the gateway shows: its own, or in a fleet the fold of the shared stream.
  const projector = fleet ? createHealthProjector() : local;
  const fromStream = new Subject<SelfhealEvent>();
  const projection = fleet?.events$.subscribe((event) => {
    projector.apply(event);
    fromStream.next(event);
  });
  const others$ = fromStream.pipe(filter((event) => event.replica !== fleet?.replica));
  const shown$: Observable<SelfhealEvent> = fleet ? merge(bus.events$, others$) : bus.events$;
  // Each monitor event is published once, on the gateway's bus, and folded once: the monitor
  // reads this replica's own projection (the bus applies each event before publish returns);
  // in a fleet, the other replicas' events of remote servers are observed into it too.
  const store = createMonitorStore({
    publish: publishNow,
    projector: local,
    events,
    clock,
  });
  const specByName = new Map(config.upstreams.map((spec) => [spec.name, spec]));
  // Subscribes before anything is published, like the health projection.
  const trust = createTrustGuard({
    document: config.document,
    bus,
    events,
    clock,
    publish: publishNow,
    onUncompilable: (message) => emitter.emit('warning', message),
  });
  const isRemote = (name: string | undefined) =>
    name !== undefined && specByName.has(name) && specByName.get(name)!.transport !== 'stdio';
  // A replica that takes over probing a remote server goes on from the fleet's state of it.
  const observing = others$.subscribe((event) => {
    if (isRemote(event.server_name)) store.observe(event);
  });
  // Filled below; the monitor's sessions open only at start().
  const upstreamByName = new Map<string, UpstreamServer>();
  const monitor = createMonitor({
    servers: config.servers,
    store,
    spawner: options.spawner ?? createNodeSpawner(),
    clock,
    keepSessions: true,
    ...(fleet?.probesRemote && {
      probeGate: (server) => server.transport === 'stdio' || fleet.probesRemote!(),
    }),
    // The monitor's session with each server is the server's shared connection (RFC 0010):
    // every client's requests go over it unless a client needs a session of its own.
    session: {
      clientInfo: serverInfo,
      capabilities: SHARED_CLIENT_CAPABILITIES,
      configure: (client, server) => upstreamByName.get(server.name)?.shared.install(client),
      createTransport: (server) => {
        const spec = specByName.get(server.name)!;
        const legacy = () => factory(spec).transport;
        // A Streamable HTTP server is asked which revision it speaks (RFC 0013).
        return spec.transport === 'streamable-http'
          ? createEraAdapter(createStatelessHttpTransport(targetOf(spec)), {
              probeMs: ERA_PROBE_MS,
              onEra: (stateless) => upstreamByName.get(server.name)?.noteStateless(stateless),
              fallback: legacy,
            })
          : legacy();
      },
      // A stdio server is asked which revision it speaks before anything else (RFC 0013).
      // Messages that are not JSON-RPC are protocol violations (RFC 0017); a client's own
      // sessions are watched where they connect (connectUpstream).
      wrapTransport: (transport, server) =>
        reportInvalidMessages(
          server.transport === 'stdio'
            ? createEraAdapter(transport, {
                probeMs: ERA_PROBE_MS,
                onEra: (stateless) => upstreamByName.get(server.name)?.noteStateless(stateless),
              })
            : transport,
          (error) => trust.invalidMessage(server.name, error),
        ),
      connected: (_client, transport) => notificationsFirst(transport),
    },
    ...(options.checkSlotMs === undefined ? {} : { checkSlotMs: options.checkSlotMs }),
  });
  // Every list change, of one server or of a reload, goes to every session and listen stream.
  const lists = new EventEmitter<{ changed: (method: ListMethod) => void }>();
  const announce = (method: ListMethod) => {
    const notification = { method: LIST_CHANGED_NOTIFICATION[method] };
    for (const session of sessions) session.server.notification(notification).catch(() => {});
    lists.emit('changed', method);
  };
  // The upstreams in config order. Sessions and the stateless face read this one array, so a
  // reload changes it in place (RFC 0019).
  const upstreams: UpstreamServer[] = [];
  const createUpstream = (spec: UpstreamSpec) => {
    const upstream = createUpstreamServer({
      spec,
      clock,
      source: monitor.servers.get(spec.name)!,
      // In a fleet, a stdio server is this replica's own process; a remote one is the fleet's.
      health: () => (spec.transport === 'stdio' ? local : projector).get(spec.name),
      timeoutMs: config.gateway.requestTimeoutMs,
      maxClientSessions: config.gateway.clientSessions.maxPerServer,
    });
    upstream.on('status', (state, previous) =>
      emitter.emit('upstream', spec.name, state, previous),
    );
    // Each listing over the shared connection is checked against the pins (RFC 0017).
    upstream.on('catalog', (catalog) => {
      trust.filterTools(spec.name, catalog.tools);
    });
    // A list change on the shared connection is every session's news.
    upstream.on('listChanged', announce);
    const warned = new Set<string>();
    upstream.shared.on('unattributed', (message, inFlight) => {
      if (warned.has(message.method)) return;
      warned.add(message.method);
      emitter.emit(
        'warning',
        `server "${spec.name}" sent ${message.method} on its shared connection with ${inFlight} client requests in flight, so it could not be tied to one client (${message.method.startsWith('notifications/') ? 'dropped' : 'refused'}); set "session": "per_client" on this server if its clients need it (told once per method)`,
      );
    });
    upstreamByName.set(spec.name, upstream);
    return upstream;
  };
  for (const spec of config.upstreams) upstreams.push(createUpstream(spec));
  // Routing state follows the monitor: each health event of a server re-reads its projection
  // (the projection applies only those types: a call_completed per call changes nothing there).
  const follow = (event: SelfhealEvent) => {
    if (event.server_name !== undefined && PROJECTED_EVENT_TYPES.has(event.event_type))
      upstreamByName.get(event.server_name)?.sync();
  };
  const following = bus.events$.subscribe(follow);
  const followingFleet = fromStream.subscribe((event) => {
    if (isRemote(event.server_name)) follow(event);
  });
  const viewOf = (server: string) =>
    trustView(trust.state(), server, trust.settings(server).score.neutral);
  const metrics = createGatewayMetrics({
    events$: bus.events$,
    health: () => projector.state(),
    clock,
    isKnownServer: (name) => upstreamByName.has(name),
    isKnownTool: (name) => exposedTools(upstreams, config).has(name),
    extra: (registry) => {
      registerUpstreamGauge(registry, upstreams);
      registerTrustGauges(registry, () => [...upstreamByName.keys()], viewOf);
    },
  });
  // One fallback_used per route, tool and reason a minute: call_summary counts every one of
  // them (RFC 0009), and a failover under load would otherwise write a line per call.
  const fallbacks = createRepeatFilter({
    clock,
    kindOf: (e) =>
      e.event_type === 'fallback_used'
        ? JSON.stringify([e.from, e.to, e.tool, e.reason])
        : undefined,
  });
  const policyEvents = busEmitter((event) => {
    if (!fallbacks.repeats(event as Record<string, unknown>)) publishNow(event);
  }, events);
  const policies = new Map<string, UpstreamPolicy>();
  const unfollow = new Map<string, () => void>();
  const addPolicy = (from: LoadedConfig, upstream: UpstreamServer) => {
    policies.set(
      upstream.spec.name,
      createServerPolicy(from, upstream.spec, { clock, emitter: policyEvents }),
    );
    unfollow.set(upstream.spec.name, followRecovery(policies, [upstream]));
  };
  for (const upstream of upstreams) addPolicy(config, upstream);
  // The routing state already reads the projection (down, failed, disabled), and lets a server
  // that answers again through before its W3 `server_recovered` (RFC 0008).
  const isDown = (server: string) => upstreamByName.get(server)?.state.status === 'down';
  // A tool or server held or released: every client lists again.
  trust.onListChanged((server) => upstreamByName.get(server)?.emit('listChanged', 'tools/list'));
  const calls: ToolCallHost = {
    trust,
    policies,
    bus,
    events,
    clock,
    emitter: policyEvents,
    isDown,
    defer: afterAnswer.defer,
  };
  // Graceful degradation (RFC 0008): in `hide` mode a server's tools leave the list while it is
  // down and return when it recovers; every client is told with tools/list_changed each time.
  const degradation = shown$.subscribe((event) => {
    if (config.gateway.degradation !== 'hide') return;
    if (event.event_type !== 'server_down' && event.event_type !== 'server_recovered') return;
    // Through the server's own list-change path: 2025-11-25 sessions and listen streams alike.
    const name = event.server_name;
    if (name !== undefined) upstreamByName.get(name)?.emit('listChanged', 'tools/list');
  });

  // Read per call by every router, so a reload's chains apply to sessions already open.
  const fallbackChains: Record<string, string[]> = { ...config.document.fallbacks };

  const stateless = createStatelessGateway({
    upstreams,
    listChanges: (onChange) => {
      lists.on('changed', onChange);
      return () => lists.off('changed', onChange);
    },
    settings: config.gateway,
    factory,
    calls,
    fallbacks: fallbackChains,
    serverInfo,
    instructions: () => composeInstructions(upstreams),
    clock,
    onWarning: (message) => emitter.emit('warning', message),
  });

  let current = config;
  let reloading: Promise<unknown> = Promise.resolve();
  let stopping = false;

  /** Stops a server's upstream, policy and monitored process, and forgets them. */
  const dropServer = async (name: string) => {
    const upstream = upstreamByName.get(name);
    if (upstream !== undefined) {
      upstreams.splice(upstreams.indexOf(upstream), 1);
      upstreamByName.delete(name);
      specByName.delete(name);
      await upstream.stop();
    }
    unfollow.get(name)?.();
    unfollow.delete(name);
    policies.get(name)?.dispose();
    policies.delete(name);
    await monitor.remove(name);
  };

  /** Starts a server of `next` (monitored always; an upstream unless it is disabled). */
  const startServer = async (next: LoadedConfig, server: MonitoredServer) => {
    const spec = next.upstreams.find((u) => u.name === server.name);
    if (spec) specByName.set(spec.name, spec);
    const watched = monitor.add(server);
    const upstream = spec ? createUpstream(spec) : undefined;
    if (upstream) addPolicy(next, upstream);
    await watched.start();
    return upstream;
  };

  const applyReload = async (
    next: LoadedConfig,
    trigger: 'file' | 'signal' | 'request',
  ): Promise<ReloadOutcome> => {
    const diff = diffConfigs(current, next);
    const toolsBefore = visibleTools(upstreams, current);
    // Only the servers whose entry changed are touched; the rest keep their processes,
    // sessions and calls in flight.
    await Promise.all([...diff.removed, ...diff.changed].map(dropServer));
    // Settings a running gateway can take, in place: every router reads them per request.
    for (const key of LIVE_GATEWAY_SETTINGS)
      (config.gateway as unknown as Record<string, unknown>)[key] = next.gateway[key];
    for (const key of Object.keys(fallbackChains)) delete fallbackChains[key];
    Object.assign(fallbackChains, next.document.fallbacks);
    trust.reconfigure(next.document);
    const fresh = [...diff.added, ...diff.changed];
    const started = await Promise.all(
      next.servers
        .filter((server) => fresh.includes(server.name))
        .map((server) => startServer(next, server)),
    );
    // Config order, as at start.
    const order = next.upstreams.map((u) => u.name);
    upstreams.splice(0, upstreams.length, ...order.flatMap((n) => upstreamByName.get(n) ?? []));
    await Promise.all(started.map((u) => u?.start()));
    current = {
      ...next,
      // The settings a reload cannot apply stay as they were (the object every router reads).
      gateway: config.gateway,
      eventEmission: current.eventEmission,
      alerts: current.alerts,
    };
    for (const clash of collisionsOf(upstreams, current))
      emitter.emit('warning', `after the reload: ${clash}`);
    const toolsAfter = visibleTools(upstreams, current);
    const toolsChanged = toolsBefore.join('\n') !== toolsAfter.join('\n');
    const serversChanged = fresh.length > 0 || diff.removed.length > 0;
    if (toolsChanged) announce('tools/list');
    if (serversChanged || diff.namingChanged) {
      announce('prompts/list');
      announce('resources/list');
    }
    publishNow(
      events.configReloaded({
        source: next.source,
        trigger,
        added: diff.added,
        removed: diff.removed,
        restarted: diff.changed,
        ...(diff.restartRequired.length > 0 && { restart_required: diff.restartRequired }),
      }),
    );
    return { ...diff, toolsChanged };
  };

  const gateway = emitter as Gateway;
  Object.defineProperties(gateway, {
    config: { get: () => current },
    upstreams: { value: upstreams },
    clock: { value: clock },
    bus: { value: bus },
    events: { value: events },
    metrics: { value: metrics },
    monitor: { value: monitor },
    policies: { value: policies },
    trust: { value: trust },
    stateless: { value: stateless },
    shown$: { value: shown$ },
    replica: { value: fleet?.replica },
    startedAt: { get: () => startedAt },
    ready: { get: () => ready },
  });
  Object.assign(gateway, {
    isDown,
    health: () => projector.state(),
    serving: () => projector.serving(),
    ecosystem: () => {
      const rollUp = rollUpEcosystem(projector.state(), clock.now());
      // Each server's trust beside its health (RFC 0017); a trust-only name is not a detail.
      return {
        ...rollUp,
        details: rollUp.details.map((d) => ({ ...d, trust: viewOf(d.server_name) })),
      };
    },
    async start() {
      startedAt = clock.now();
      // A run begins: replay resets every server's state here, as this process starts afresh.
      const run = events.create('gateway_started', {
        pid: process.pid,
        version: GATEWAY_VERSION,
        config: config.source,
        servers: config.upstreams.map((spec) => spec.name),
      });
      runTrace = run.trace_id;
      publishNow(run);
      // Started here, so sinks attached after createGateway() see server_registered.
      await monitor.start();
      await Promise.all(upstreams.map((u) => u.start()));
      checkCollisions(upstreams, config);
      ready = true;
    },
    reload(next: LoadedConfig, trigger: 'file' | 'signal' | 'request' = 'request') {
      // A reload that arrives while the gateway stops would start servers nobody stops.
      if (stopping)
        return Promise.reject(new Error('config reload refused: the gateway is stopping'));
      const run = reloading.then(() => applyReload(next, trigger));
      reloading = run.catch(() => {});
      return run;
    },
    createSession() {
      const session = createGatewaySession({
        upstreams,
        settings: config.gateway,
        factory,
        serverInfo,
        clock,
        onWarning: (message) => emitter.emit('warning', message),
        calls,
        fallbacks: fallbackChains,
        onAnswer: afterAnswer.flush,
      });
      sessions.add(session);
      const close = session.close;
      return {
        server: session.server,
        close: async () => {
          sessions.delete(session);
          await close();
        },
      };
    },
    async stop(reason = 'stop') {
      ready = false;
      stopping = true;
      // A reload under way finishes first (its servers are then stopped with the rest below).
      await reloading;
      // First, while every sink still takes events: the run ends here.
      if (runTrace !== undefined)
        publishNow(
          events.create('gateway_stopped', {
            trace_id: runTrace,
            uptime_seconds: Math.max(0, (clock.now() - startedAt) / 1000),
            reason,
          }),
        );
      runTrace = undefined;
      await Promise.all([...sessions].map((s) => s.close()));
      sessions.clear();
      await stateless.close();
      await Promise.all(upstreams.map((u) => u.stop()));
      await monitor.stop();
      for (const policy of policies.values()) policy.dispose();
      afterAnswer.flush();
      for (const off of unfollow.values()) off();
      degradation.unsubscribe();
      following.unsubscribe();
      trust.close();
      followingFleet.unsubscribe();
      observing.unsubscribe();
      projection?.unsubscribe();
      localProjection.unsubscribe();
      metrics.close();
    },
  });
  return gateway;
}

/** Where a Streamable HTTP server takes stateless requests. */
function targetOf(spec: UpstreamSpec): StatelessTarget {
  return { url: spec.config.url!, ...(spec.config.headers && { headers: spec.config.headers }) };
}

/** Exposed tool names of every catalog known now (label values metrics always keep). */
function exposedTools(upstreams: readonly UpstreamServer[], config: LoadedConfig): Set<string> {
  const names = new Set<string>();
  for (const u of upstreams) {
    for (const tool of u.catalog?.tools ?? []) {
      names.add(exposeName(u.spec.prefix, config.gateway.separator, String(tool.name)));
    }
  }
  return names;
}

/** Exposed names of one kind across the catalogs known so far, tool filters applied. */
function exposedItems(
  upstreams: readonly UpstreamServer[],
  config: LoadedConfig,
  kind: 'tool' | 'prompt',
) {
  return upstreams.flatMap((u) => {
    const visible = kind === 'tool' ? createToolFilter(u.spec.config.tools ?? {}) : () => true;
    const list = kind === 'tool' ? (u.catalog?.tools ?? []) : (u.catalog?.prompts ?? []);
    return list
      .map((item) => String(item.name))
      .filter(visible)
      .map((name) => ({
        server: u.spec.name,
        name,
        exposed: exposeName(u.spec.prefix, config.gateway.separator, name),
      }));
  });
}

/** The exposed tool names clients can list now, sorted. */
function visibleTools(upstreams: readonly UpstreamServer[], config: LoadedConfig): string[] {
  return exposedItems(upstreams, config, 'tool')
    .map((item) => `${item.server}\u0000${item.exposed}`)
    .sort();
}

/** Start-up check of exposed tool and prompt names across the catalogs known so far. */
function checkCollisions(upstreams: readonly UpstreamServer[], config: LoadedConfig): void {
  for (const kind of ['tool', 'prompt'] as const)
    resolveCollisions(exposedItems(upstreams, config, kind), config.gateway.onCollision, kind);
}

/** Every clash of exposed names across the catalogs known so far, as a sentence each. */
function collisionsOf(upstreams: readonly UpstreamServer[], config: LoadedConfig): string[] {
  try {
    checkCollisions(upstreams, { ...config, gateway: { ...config.gateway, onCollision: 'error' } });
    return [];
  } catch (error) {
    return [(error as Error).message];
  }
}
