import type { Clock } from '@selfheal/internal';
import { monitorClock } from '../clock.js';
import type { MonitoredServer } from '../config/registry.js';
import { type ControlReply, type ControlRequest, operatorOf } from '../control/controlProtocol.js';
import type { MonitorStore } from '../decider/monitorStore.js';
import { MonitorError, MonitorErrorCode } from '../errors.js';
import type { SessionProfile } from '../session/mcpSession.js';
import { createSlottedClock } from '../slottedClock.js';
import type { Spawner } from '../supervisor/spawner.js';
import { createServerMonitor, type ServerMonitor } from './serverMonitor.js';

/** Options of {@link createMonitor}. */
export interface MonitorOptions {
  servers: MonitoredServer[];
  store: MonitorStore;
  spawner: Spawner;
  /** @default monitorClock */
  clock?: Clock;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * Checks are scheduled on a grid of this many ms, so that the checks of all servers due
   * within one slot share one timer wake-up (see {@link createSlottedClock}); delays under
   * five slots are exact. 0 schedules every check exactly.
   * @default 100
   */
  checkSlotMs?: number;
  /**
   * Keep an MCP session open with every running server, even when no probe needs one (see
   * {@link ServerMonitor.onSession}). @default false
   */
  keepSessions?: boolean;
  /**
   * Who every server's session is and how it reaches HTTP servers (an embedder that routes its
   * own traffic over these sessions sets it). @default the monitor's own client
   */
  session?: SessionProfile;
  /**
   * Whether `server` is probed (and so recovered) by this monitor now; see
   * `ServerMonitorOptions.probeGate`. @default every server, always
   */
  probeGate?: (server: MonitoredServer) => boolean;
}

/** Watches and heals every configured server. */
export interface Monitor {
  /** The monitor of each server, by name. */
  readonly servers: ReadonlyMap<string, ServerMonitor>;
  /** Starts every server and its checks (in parallel). */
  start(): Promise<void>;
  /**
   * Adds a server while the monitor runs (a config reload) and returns its monitor, not started:
   * the caller wires it up, then calls its `start()`. Remove a server of that name first.
   * @throws MonitorError(ALREADY_MONITORED) when a server of that name is already there, and
   *   MonitorError(CLOSED) once `stop` was called (nothing it started would be stopped)
   */
  add(server: MonitoredServer): ServerMonitor;
  /** Stops a server and forgets it (a config reload). Resolves at once for an unknown name. */
  remove(name: string): Promise<void>;
  /** Carries out one operator request; every action is an event. Never throws. */
  control(request: ControlRequest): Promise<ControlReply>;
  /** Stops every process, check and recovery. Idempotent. */
  stop(): Promise<void>;
}

/** Creates a {@link Monitor}; nothing runs until `start`. */
export function createMonitor(options: MonitorOptions): Monitor {
  const servers = new Map<string, ServerMonitor>();
  const checkTimers = createSlottedClock(options.clock ?? monitorClock, {
    slotMs: options.checkSlotMs ?? 100,
  });
  const monitorOf = (server: MonitoredServer) =>
    createServerMonitor({
      server,
      store: options.store,
      spawner: options.spawner,
      checkTimers,
      ...(options.clock && { clock: options.clock }),
      ...(options.random && { random: options.random }),
      ...(options.keepSessions && { keepSession: true }),
      ...(options.session && { session: options.session }),
      ...(options.probeGate && { probeGate: () => options.probeGate!(server) }),
    });
  for (const server of options.servers) servers.set(server.name, monitorOf(server));
  let stopping: Promise<void> | undefined;
  const remove = async (name: string) => {
    const current = servers.get(name);
    if (current === undefined) return;
    servers.delete(name);
    await current.stop();
  };
  return {
    servers,
    async start() {
      await Promise.all([...servers.values()].map((s) => s.start()));
    },
    add(server) {
      if (stopping)
        throw new MonitorError(
          MonitorErrorCode.Closed,
          `server "${server.name}" not added: the monitor is stopped`,
        );
      if (servers.has(server.name))
        throw new MonitorError(
          MonitorErrorCode.AlreadyMonitored,
          `server "${server.name}" is already monitored; remove it first`,
        );
      const created = monitorOf(server);
      servers.set(server.name, created);
      return created;
    },
    remove,
    async control(request) {
      if (request.action === 'status') {
        const names = request.server ? [request.server] : [...servers.keys()];
        const unknown = names.find((n) => !servers.has(n));
        if (unknown) return notFound(unknown);
        return {
          ok: true,
          state: Object.fromEntries(names.map((n) => [n, options.store.view(n)])),
        };
      }
      if (request.action === 'approve')
        return {
          ok: false,
          error:
            'approve is answered by a gateway (selfheal start or stdio), which holds the tool pins and trust scores; this is a monitor alone',
        };
      const name = request.server!;
      const target = servers.get(name);
      if (!target) return notFound(name);
      const operator = operatorOf(request);
      const caller = {
        ...(request.uid === undefined ? {} : { uid: request.uid }),
        ...(request.pid === undefined ? {} : { pid: request.pid }),
      };
      if (request.action === 'reset') await target.reset(operator, caller);
      else if (request.action === 'disable') await target.disable(operator, caller);
      else await target.enable(operator, caller);
      return { ok: true, state: { [name]: options.store.view(name) } };
    },
    stop() {
      stopping ??= Promise.all([...servers.values()].map((s) => s.stop())).then(() => {});
      return stopping;
    },
  };

  function notFound(name: string): ControlReply {
    return {
      ok: false,
      error: `no server named "${name}" in this monitor (servers: ${[...servers.keys()].join(', ')})`,
    };
  }
}
