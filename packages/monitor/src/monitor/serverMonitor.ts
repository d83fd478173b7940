import type { Client } from '@modelcontextprotocol/client';
import type { Clock, TimerHandle } from '@selfheal/internal';
import { nextCheckDelay } from '../checkInterval.js';
import { delay, monitorClock } from '../clock.js';
import type { MonitoredServer } from '../config/registry.js';
import {
  decideCheck,
  decideExit,
  decideRecovery,
  decideStable,
  decideTransitions,
  type EventDraft,
} from '../decider/decide.js';
import type { MonitorStore } from '../decider/monitorStore.js';
import { errorMessage, MonitorError, MonitorErrorCode } from '../errors.js';
import type { ProbeResult } from '../probes/probeResult.js';
import { openSession, type SessionProfile } from '../session/mcpSession.js';
import {
  createProcessSupervisor,
  type ProcessSupervisor,
} from '../supervisor/processSupervisor.js';
import { runRecoveryCommand } from '../supervisor/recoveryCommand.js';
import type { Spawner } from '../supervisor/spawner.js';
import { createServerCheck } from './probeServer.js';

/** The least time given to `initialize` when a session opens, ms. */
const MIN_SESSION_TIMEOUT_MS = 5000;

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

/** Told of every session change: a new initialised client, or undefined when it closed. */
export type SessionListener = (client: Client | undefined) => void;

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
  /** Operator: clear `requires_manual` and the attempt counter (`server_reset`), try again. */
  reset(operator?: string, caller?: OperatorCaller): Promise<void>;
  /** Monitor shutdown: stops the process, checks and recovery; emits nothing. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Creates the monitor of one server. It reads the projected state through `store.view`,
 * decides with the pure functions of `decider/decide.ts`, and emits; it keeps no health
 * state of its own, only the handles of what runs (timers, process, session).
 */
export function createServerMonitor(options: ServerMonitorOptions): ServerMonitor {
  const { server, store, spawner } = options;
  const name = server.name;
  const clock = options.clock ?? monitorClock;
  const random = options.random ?? Math.random;
  const checkTimers = options.checkTimers ?? clock;
  const supervisor: ProcessSupervisor | undefined =
    server.transport === 'stdio'
      ? createProcessSupervisor({
          spawner,
          clock,
          stopGraceMs: server.recovery.stopGraceMs,
          spec: {
            command: server.command!,
            args: server.args,
            env: server.env,
            ...(server.cwd !== undefined && { cwd: server.cwd }),
          },
        })
      : undefined;
  let client: Client | undefined;
  let checkTimer: TimerHandle | undefined;
  let checking = false;
  let stopped = false;
  let startedAt = clock.now();
  let graceOver = false;
  let lastToolCount: number | undefined;
  let trace: string | undefined;
  let recovery: { abort: AbortController; done: Promise<void> } | undefined;
  // Set by a check whose MCP probe got HTTP 404: the server forgot this monitor's session.
  let sessionExpired = false;
  /**
   * Bumped when the process a check may be about goes away (its exit, a restart): a check that
   * began before says nothing about the process now running, and is dropped.
   */
  let epoch = 0;
  /** Since when (epoch ms) the server's reported checks have been good in a row. */
  let answeringSince: number | undefined;
  /** How long the answering run that the latest failed check ended had lasted, ms. */
  let lastRunMs: number | undefined;
  /** The run that ended when the server went down: read by the incident's first attempt. */
  let upForAtDown: number | undefined;
  const sessionListeners = new Set<SessionListener>();
  const notifySession = (c: Client | undefined) => {
    for (const listener of sessionListeners) listener(c);
  };

  const check = createServerCheck(
    server,
    clock,
    () => client,
    () => supervisor?.current !== undefined,
    () => lastToolCount,
    () => {
      sessionExpired = true;
    },
  );

  const view = () => store.view(name);
  // health_check.enabled: false — no probes at all; a stdio process is still supervised: its
  // exit is reported and recovered, and its start is the only good check.
  const checksOn = server.health.enabled;
  const needsSession =
    (checksOn && server.health.probes.some((p) => p === 'ping' || p === 'tools')) ||
    options.keepSession === true;
  const active = () => !stopped && view().lifecycle !== 'disabled';

  function emit(draft: EventDraft): void {
    noteRun(draft);
    const opensIncident =
      (draft.event_type === 'health_check_completed' && draft.status !== 'ok') ||
      draft.event_type === 'server_down' ||
      draft.event_type === 'server_degraded';
    const event = store.emit(draft, trace);
    if (trace === undefined && opensIncident) trace = event.trace_id;
    if (draft.event_type === 'server_recovered') trace = undefined;
  }

  /**
   * Follows the runs of good checks in what is reported (RFC 0020): a failed check ends one
   * and keeps its length; `server_down` hands that length to the incident's first recovery.
   */
  function noteRun(draft: EventDraft): void {
    if (draft.event_type === 'health_check_completed') {
      if (draft.status === 'down') {
        if (answeringSince !== undefined) lastRunMs = clock.now() - answeringSince;
        answeringSince = undefined;
      } else {
        answeringSince ??= clock.now();
        lastRunMs = undefined;
      }
    } else if (draft.event_type === 'server_down') {
      upForAtDown = lastRunMs;
    }
  }

  supervisor?.onExit((info, expected) => {
    epoch++;
    closeSession();
    if (expected || !active()) return;
    for (const draft of decideExit(view(), info)) emit(draft);
    maybeRecover();
  });

  function closeSession(): void {
    const current = client;
    client = undefined;
    if (current === undefined) return;
    void current.close().catch(() => {});
    notifySession(undefined);
  }

  /** Opens the MCP session to the live process (stdio) or the URL; throws why not. */
  async function connect(): Promise<void> {
    closeSession();
    // initialize after a cold start (npx, a JIT warming up) may take longer than a ping.
    const timeoutMs = Math.max(server.health.timeoutMs, MIN_SESSION_TIMEOUT_MS);
    let opened: Client;
    try {
      opened = await openSession(server, supervisor?.current, {
        ...options.session,
        clock,
        timeoutMs,
      });
    } catch (error) {
      // A stdio server that dies during initialize shows only "Connection closed" here; what
      // it printed says why (its exit, with the same lines, is reported by the exit listener).
      const stderr = supervisor?.recentStderr() ?? [];
      if (stderr.length === 0) throw error;
      throw new Error(`${errorMessage(error)}; stderr: ${stderr.join(' | ')}`, { cause: error });
    }
    if (!active()) {
      // Stopped or disabled while the session opened: nobody may use it.
      void opened.close().catch(() => {});
      throw new Error('the monitor stopped watching this server');
    }
    // Another connect (a reset's start-up) may have finished meanwhile: keep the newest only.
    closeSession();
    client = opened;
    watchSession(opened);
    notifySession(client);
  }

  /**
   * A session the transport closed under it (a stdio server wrote a line over the limit) is
   * lost as a broken pipe is: forgotten at once, a failed check with the reason, and the next
   * check (now) opens a new one.
   */
  function watchSession(opened: Client): void {
    let lost: MonitorError | undefined;
    opened.onerror = (error) => {
      if (error instanceof MonitorError && error.code === MonitorErrorCode.LineTooLong)
        lost = error;
    };
    opened.onclose = () => {
      if (client !== opened) return;
      client = undefined;
      notifySession(undefined);
      if (lost === undefined || !active() || recovery) return;
      const result: ProbeResult = {
        probe: server.health.probes.includes('ping') ? 'ping' : 'tools',
        status: 'down',
        response_time_ms: 0,
        error: `server "${name}" ${lost.message}; its session was closed and a new one opens`,
      };
      for (const draft of decideCheck(server, result, false)) emit(draft);
      for (const draft of decideTransitions(server, view(), clock.now())) emit(draft);
      scheduleCheck(0);
    };
  }

  /**
   * Starts the process (stdio) and opens the session; failures surface as failed checks. The
   * start-up grace covers a process that boots (a stdio server, or whatever a recovery command
   * started: `grace`); an HTTP server the monitor did not start gets none, so its first
   * refused connection counts at once.
   */
  async function bringUp(grace = supervisor !== undefined): Promise<void> {
    epoch++;
    closeSession();
    if (supervisor) {
      const child = await supervisor.restart();
      emit({
        event_type: 'server_started',
        server_name: name,
        ...(child.pid && { pid: child.pid }),
      });
    }
    startedAt = clock.now();
    graceOver = !grace;
    // An HTTP server watched only through /health needs no MCP session.
    if (needsSession) await connect();
  }

  function scheduleCheck(ms?: number): void {
    if (checkTimer !== undefined) checkTimers.clearTimeout(checkTimer);
    checkTimer = undefined;
    if (!active() || !checksOn) return;
    const v = view();
    const unhealthy = v.status !== 'ok' || v.last_check_status !== 'ok';
    checkTimer = checkTimers.setTimeout(
      () => {
        checkTimer = undefined;
        void runCheck();
      },
      ms ?? nextCheckDelay(server.health, unhealthy, random),
    );
  }

  async function runCheck(): Promise<void> {
    if (!active() || checking) return;
    if (recovery) {
      scheduleCheck();
      return;
    }
    checking = true;
    if (options.probeGate && !options.probeGate()) {
      try {
        if (needsSession && !client && (!supervisor || supervisor.current)) await reconnect();
      } finally {
        checking = false;
        scheduleCheck();
      }
      return;
    }
    const began = epoch;
    try {
      let result: ProbeResult | undefined;
      if (needsSession && !client && (!supervisor || supervisor.current)) {
        result = await reconnect();
      }
      sessionExpired = false;
      result ??= await check();
      if (sessionExpired && active() && !recovery) {
        // The server forgot the session (it restarted, or expired it) and answered 404: it is
        // up. A new session and a second check decide, not the failure threshold.
        result = (await reconnect()) ?? (await check());
      }
      // The process changed under the check (it exited, or a recovery restarted it): what the
      // check saw was the old one's end, which the exit already reported.
      if (!active() || recovery || began !== epoch) return;
      const now = clock.now();
      const inGrace = !graceOver && now - startedAt < server.health.startupGraceMs;
      if (result.status !== 'down') graceOver = true;
      if (result.tool_count !== undefined) lastToolCount = result.tool_count;
      const drafts = decideCheck(server, result, inGrace);
      if (drafts.length === 0) return;
      if (result.status === 'ok' && view().status === 'ok') trace = undefined;
      for (const draft of drafts) emit(draft);
      for (const draft of decideTransitions(server, view(), now)) emit(draft);
      for (const draft of decideStable(server, view(), now)) emit(draft);
      maybeRecover();
    } finally {
      checking = false;
      if (!recovery) scheduleCheck();
    }
  }

  /** Opens a new MCP session; a failed check when that fails, else undefined. */
  async function reconnect(): Promise<ProbeResult | undefined> {
    const began = clock.now();
    try {
      await connect();
      return undefined;
    } catch (error) {
      return {
        probe: server.health.probes.includes('ping') ? 'ping' : 'tools',
        status: 'down',
        response_time_ms: clock.now() - began,
        error: errorMessage(error),
      };
    }
  }

  function maybeRecover(): void {
    if (recovery || !active()) return;
    const decision = decideRecovery(server, view(), upForAtDown);
    if (decision.action === 'none') return;
    if (decision.action === 'exhausted') {
      emit(decision.event);
      return;
    }
    const abort = new AbortController();
    const done = recoveryLoop(abort.signal).finally(() => {
      if (recovery?.abort === abort) recovery = undefined;
      if (!abort.signal.aborted) scheduleCheck();
    });
    recovery = { abort, done };
  }

  async function recoveryLoop(signal: AbortSignal): Promise<void> {
    for (;;) {
      const decision = decideRecovery(server, view(), upForAtDown);
      // Only the incident's first attempt may skip its wait.
      upForAtDown = undefined;
      if (decision.action === 'none') return;
      if (decision.action === 'exhausted') {
        emit(decision.event);
        return;
      }
      try {
        await delay(clock, decision.delayMs, signal);
      } catch {
        return;
      }
      if (signal.aborted || !active()) return;
      const began = clock.now();
      emit({
        event_type: 'recovery_started',
        server_name: name,
        reason: view().error ?? 'server down',
        attempt: decision.attempt,
        strategy: server.recovery.strategy,
        delay_ms: decision.delayMs,
        ...(decision.stableSeconds !== undefined && { stable_seconds: decision.stableSeconds }),
      });
      try {
        await perform();
        if (signal.aborted) return;
        emit({
          event_type: 'recovery_successful',
          server_name: name,
          attempts: decision.attempt,
          duration_ms: clock.now() - began,
        });
        reportProcessUp();
        return;
      } catch (error) {
        if (signal.aborted) return;
        emit({
          event_type: 'recovery_failed',
          server_name: name,
          error: errorMessage(error),
          attempt: decision.attempt,
        });
      }
    }
  }

  /** One recovery action per the strategy; throws with the reason when it did not work. */
  async function perform(): Promise<void> {
    if (server.recovery.strategy === 'command') {
      const result = await runRecoveryCommand({
        command: server.recovery.command!,
        timeoutMs: server.recovery.commandTimeoutMs,
        spawner,
        clock,
        env: { SELFHEAL_SERVER: name },
      });
      if (!result.ok) throw new Error(result.error);
      if (supervisor?.current) {
        await connect();
        startedAt = clock.now();
        graceOver = false;
        return;
      }
      await bringUp(true);
      return;
    }
    await bringUp();
  }

  async function halt(): Promise<void> {
    if (checkTimer !== undefined) checkTimers.clearTimeout(checkTimer);
    checkTimer = undefined;
    const running = recovery;
    recovery = undefined;
    running?.abort.abort();
    closeSession();
    await supervisor?.stop();
    await running?.done.catch(() => {});
  }

  async function startWatching(): Promise<void> {
    try {
      await bringUp();
    } catch {
      // Nothing to report here: a process that could not start or died is reported by the
      // exit listener at once, and a session that could not open is retried, and reported,
      // by the next check.
    }
    reportProcessUp();
    if (!recovery) scheduleCheck(0);
  }

  /** Checks disabled: a running stdio process is the one good check there is (reported once). */
  function reportProcessUp(): void {
    if (checksOn || !supervisor?.current || !active()) return;
    emit({
      event_type: 'health_check_completed',
      server_name: name,
      probe: 'process',
      status: 'ok',
      response_time_ms: 0,
    });
    for (const draft of decideTransitions(server, view(), clock.now())) emit(draft);
  }

  return {
    name,
    get pid() {
      return supervisor?.current?.pid;
    },
    get client() {
      return client;
    },
    onSession(listener) {
      sessionListeners.add(listener);
      return () => sessionListeners.delete(listener);
    },
    requestCheck() {
      if (!active() || !checksOn || recovery || checking) return;
      scheduleCheck(0);
    },
    async start() {
      emit({ event_type: 'server_registered', server_name: name, transport: server.transport });
      if (server.disabled) {
        emit({ event_type: 'server_disabled', server_name: name, operator: 'config' });
        return;
      }
      await startWatching();
    },
    async disable(operator = 'operator', caller = {}) {
      if (view().lifecycle === 'disabled') return;
      emit({ event_type: 'server_disabled', server_name: name, operator, ...callerFields(caller) });
      await halt();
    },
    async enable(operator = 'operator', caller = {}) {
      if (view().lifecycle !== 'disabled') return;
      emit({ event_type: 'server_enabled', server_name: name, operator, ...callerFields(caller) });
      await startWatching();
    },
    async reset(operator = 'operator', caller = {}) {
      trace = undefined;
      emit({ event_type: 'server_reset', server_name: name, operator, ...callerFields(caller) });
      if (!active()) return;
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

function callerFields(caller: OperatorCaller): { operator_uid?: number; operator_pid?: number } {
  return {
    ...(caller.uid === undefined ? {} : { operator_uid: caller.uid }),
    ...(caller.pid === undefined ? {} : { operator_pid: caller.pid }),
  };
}
