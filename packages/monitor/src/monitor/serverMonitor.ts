import type { Client } from '@modelcontextprotocol/client';
import type { Clock } from '@selfheal/internal';
import { monitorClock } from '../clock.js';
import type { MonitoredServer } from '../config/registry.js';
import { decideExit } from '../decider/decide.js';
import type { MonitorStore } from '../decider/monitorStore.js';
import type { SessionProfile } from '../session/mcpSession.js';
import type { Spawner } from '../supervisor/spawner.js';
import { createCheckLoop } from './checkLoop.js';
import { createRecoveryDriver } from './recoveryDriver.js';
import type { ServerContext } from './serverContext.js';
import { createServerEvents } from './serverEvents.js';
import { createServerSession, type SessionListener } from './serverSession.js';
import { createServerStartup, createServerSupervisor } from './serverStartup.js';
import { createStartupGrace } from './startupGrace.js';

export type { SessionListener } from './serverSession.js';

/** Options of {@link createServerMonitor}. */
export interface ServerMonitorOptions {
  server: MonitoredServer;
  store: MonitorStore;
  spawner: Spawner;
  /** @default monitorClock */
  clock?: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * The timers of the check schedule (only those). {@link createMonitor} passes one slotted
   * clock shared by every server, so checks due together share one wake-up.
   * @default clock
   */
  checkTimers?: Clock;
  /**
   * Keep an MCP session open whenever the server runs, even when no probe needs one: an
   * embedder (the gateway) lists catalogs over it. @default false
   */
  keepSession?: boolean;
  /** Who the monitor's session is, and how it reaches an HTTP server. @default the monitor's own */
  session?: SessionProfile;
  /**
   * Whether this monitor probes (and so recovers) the server now. While false, a due check
   * only reopens a lost session and probes nothing: another replica holds the lease on this
   * server's probes (RFC 0018). Process exits are handled either way. @default always true
   */
  probeGate?: () => boolean;
}

/** Watches and heals one server; every decision is an event in `store`. */
export interface ServerMonitor {
  readonly name: string;
  /** The live stdio process's pid, if any. */
  readonly pid: number | undefined;
  /** The live MCP session, if any. */
  readonly client: Client | undefined;
  /**
   * Subscribes to session changes: called with the new client each time a session opens
   * (start, restart, reconnect) and with undefined when it closes. Returns the unsubscribe.
   */
  onSession(listener: SessionListener): () => void;
  /**
   * Runs a check as soon as possible (someone else saw the server fail); ignored while
   * disabled, stopped or recovering, or when checks are off.
   */
  requestCheck(): void;
  /** Registers the server, starts it (stdio) and begins checking. */
  start(): Promise<void>;
  /**
   * Operator: stop the process and all checks and recovery (`server_disabled`). `caller` is the
   * requesting process (`operator_uid`, `operator_pid` of the event).
   */
  disable(operator?: string, caller?: OperatorCaller): Promise<void>;
  /** Operator: undo `disable` (`server_enabled`), start again. */
  enable(operator?: string, caller?: OperatorCaller): Promise<void>;
  /**
   * The server's `server_disabled` or `server_enabled` happened elsewhere and is already in the
   * store's view: another replica's operator disabled or enabled a server the fleet shares
   * (RFC 0018), folded in with `observe`. Stops what `disable` stops, or starts watching as
   * `enable` does, without emitting: the event is the fleet's already, and a second one from
   * each replica would only repeat it. A server disabled in this replica's own config stays so.
   */
  followLifecycle(): Promise<void>;
  /** Operator: clear `requires_manual` and the attempt counter (`server_reset`), try again. */
  reset(operator?: string, caller?: OperatorCaller): Promise<void>;
  /** Monitor shutdown: stops the process, checks and recovery; emits nothing. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Creates the monitor of one server. It reads the projected state through `store.view`,
 * decides with the pure functions of `decider/decide.ts`, and emits; it keeps no health
 * state of its own, only the handles of what runs (timers, process, session). Its parts:
 * the emitter (`serverEvents.ts`), the session (`serverSession.ts`), bringing the server up
 * (`serverStartup.ts`), the check loop (`checkLoop.ts`) and the recovery schedule's driver
 * (`recoveryDriver.ts`); this function wires them and answers the operator.
 */
export function createServerMonitor(options: ServerMonitorOptions): ServerMonitor {
  const { server, store, spawner } = options;
  const name = server.name;
  const clock = options.clock ?? monitorClock;
  let stopped = false;
  // Whether checks and recovery run (between startWatching and halt): what followLifecycle
  // compares the view with.
  let watching = false;
  // Set by start(): before it, the view is only folded (a fleet's stream, caught up before the
  // monitor starts), and start() reads it.
  let started = false;
  // followLifecycle calls, one after the other: a disable and an enable observed in one breath
  // end in the state of the last.
  let following = Promise.resolve();
  const ctx: ServerContext = {
    server,
    clock,
    supervisor: createServerSupervisor(server, spawner, clock),
    events: createServerEvents(store, clock),
    grace: createStartupGrace(clock, server.health.startupGraceMs),
    needsSession:
      (server.health.enabled && server.health.probes.some((p) => p === 'ping' || p === 'tools')) ||
      options.keepSession === true,
    view: () => store.view(name),
    active: () => !stopped && store.view(name).lifecycle !== 'disabled',
    epoch: 0,
  };
  const { supervisor, events } = ctx;
  // The check loop and the recovery driver call each other: each reaches the other only
  // from callbacks, after both exist.
  const session = createServerSession(ctx, options.session, (lost) => checks.sessionLost(lost));
  const startup = createServerStartup(ctx, session, spawner);
  const recovery = createRecoveryDriver(ctx, {
    perform: () => startup.recover(),
    onRecovered: () => checks.reportProcessUp(),
    onSettled: () => checks.schedule(),
  });
  const checks = createCheckLoop(ctx, {
    session,
    recovery,
    timers: options.checkTimers ?? clock,
    random: options.random ?? Math.random,
    probeGate: options.probeGate,
  });

  supervisor?.onExit((info, expected) => {
    ctx.epoch++;
    session.close();
    if (expected || !ctx.active()) return;
    for (const draft of decideExit(ctx.view(), info)) events.emit(draft);
    recovery.maybeRecover();
  });

  async function halt(): Promise<void> {
    watching = false;
    checks.cancel();
    const recoveryEnded = recovery.abort();
    session.close();
    await supervisor?.stop();
    await recoveryEnded;
  }

  async function startWatching(): Promise<void> {
    watching = true;
    try {
      await startup.bringUp();
    } catch {
      // Nothing to report here: a process that could not start or died is reported by the
      // exit listener at once, and a session that could not open is retried, and reported,
      // by the next check.
    }
    checks.reportProcessUp();
    if (!recovery.running) checks.schedule(0);
  }

  return {
    name,
    get pid() {
      return supervisor?.current?.pid;
    },
    get client() {
      return session.client;
    },
    onSession: session.onSession,
    requestCheck: checks.request,
    async start() {
      started = true;
      events.emit({
        event_type: 'server_registered',
        server_name: name,
        transport: server.transport,
      });
      if (server.disabled) {
        events.emit(operatorEvent('server_disabled', name, 'config', {}));
        return;
      }
      // Disabled in the view already: a fleet's stream, folded before the start, says another
      // replica's operator disabled it (RFC 0018); its enable starts it (followLifecycle).
      if (!ctx.active()) return;
      await startWatching();
    },
    async disable(operator = 'operator', caller = {}) {
      if (ctx.view().lifecycle === 'disabled') return;
      events.emit(operatorEvent('server_disabled', name, operator, caller));
      await halt();
    },
    async enable(operator = 'operator', caller = {}) {
      if (ctx.view().lifecycle !== 'disabled') return;
      events.emit(operatorEvent('server_enabled', name, operator, caller));
      await startWatching();
    },
    followLifecycle() {
      const next = following.then(async () => {
        if (!started || stopped || server.disabled) return;
        const disabled = ctx.view().lifecycle === 'disabled';
        if (disabled && watching) await halt();
        else if (!disabled && !watching) await startWatching();
      });
      // The caller hears of a failure; the next call still runs.
      following = next.catch(() => {});
      return next;
    },
    async reset(operator = 'operator', caller = {}) {
      events.endIncident();
      events.emit(operatorEvent('server_reset', name, operator, caller));
      if (!ctx.active()) return;
      await halt();
      await startWatching();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await halt();
      await supervisor?.close();
    },
  };
}

/** Which process sent an operator request: its user id and process id, where known. */
export interface OperatorCaller {
  uid?: number;
  pid?: number;
}

/** An operator's `server_disabled`, `server_enabled` or `server_reset` of server `name`. */
function operatorEvent(
  type: 'server_disabled' | 'server_enabled' | 'server_reset',
  name: string,
  operator: string,
  caller: OperatorCaller,
) {
  return { event_type: type, server_name: name, operator, ...callerFields(caller) };
}

function callerFields(caller: OperatorCaller): { operator_uid?: number; operator_pid?: number } {
  return {
    ...(caller.uid === undefined ? {} : { operator_uid: caller.uid }),
    ...(caller.pid === undefined ? {} : { operator_pid: caller.pid }),
  };
}
