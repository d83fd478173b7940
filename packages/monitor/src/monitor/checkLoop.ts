import type { Clock, TimerHandle } from '@selfheal/internal';
import { nextCheckDelay } from '../checkInterval.js';
import { errorMessage, type MonitorError } from '../errors.js';
import type { ProbeResult } from '../probes/probeResult.js';
import { recordCheck, recordLostSession, recordProcessUp, sessionProbe } from './checkRecords.js';
import { createServerCheck } from './probeServer.js';
import type { RecoveryDriver } from './recoveryDriver.js';
import type { ServerContext } from './serverContext.js';
import type { ServerSession } from './serverSession.js';

/**
 * One server's checks: a check every interval (`interval_seconds` while ok, the unhealthy one
 * otherwise, with jitter), its result turned into events by the decider, and recovery started
 * when the decider says so. No check runs while a recovery does; one that began before the
 * process changed is dropped. With `health_check.enabled: false` nothing is scheduled.
 */
export interface CheckLoop {
  /** (Re)schedules the next check, after `ms` or the interval; nothing while inactive. */
  schedule(ms?: number): void;
  /** Runs a check as soon as possible; ignored while a check or recovery runs or checks are off. */
  request(): void;
  /** Cancels the scheduled check. */
  cancel(): void;
  /** The transport closed the session under the server: a failed check, and a new check now. */
  sessionLost(error: MonitorError): void;
  /** Checks disabled: a running stdio process is the one good check there is (reported once). */
  reportProcessUp(): void;
}

/** What the check loop works with besides the shared context. */
export interface CheckLoopParts {
  session: ServerSession;
  recovery: Pick<RecoveryDriver, 'running' | 'maybeRecover'>;
  /** The timers of the check schedule (a slotted clock shared by every server). */
  timers: Clock;
  /** Jitter source in [0, 1). */
  random: () => number;
  /** While it answers false, a due check only reopens a lost session (RFC 0018). */
  probeGate: (() => boolean) | undefined;
}

/** Creates the {@link CheckLoop} of the server in `ctx`. */
export function createCheckLoop(ctx: ServerContext, parts: CheckLoopParts): CheckLoop {
  const { server, clock, supervisor } = ctx;
  const { session, recovery, timers, random, probeGate } = parts;
  // health_check.enabled: false — no probes at all; a stdio process is still supervised: its
  // exit is reported and recovered, and its start is the only good check.
  const checksOn = server.health.enabled;
  let timer: TimerHandle | undefined;
  let checking = false;
  let lastToolCount: number | undefined;
  // Set by a check whose MCP probe got HTTP 404: the server forgot this monitor's session.
  let sessionExpired = false;
  const check = createServerCheck(
    server,
    clock,
    () => session.client,
    () => supervisor?.current !== undefined,
    () => lastToolCount,
    () => {
      sessionExpired = true;
    },
  );
  const sessionMissing = () =>
    ctx.needsSession && !session.client && (!supervisor || supervisor.current !== undefined);

  function cancel(): void {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  }

  function schedule(ms?: number): void {
    cancel();
    if (!ctx.active() || !checksOn) return;
    const v = ctx.view();
    const unhealthy = v.status !== 'ok' || v.last_check_status !== 'ok';
    timer = timers.setTimeout(
      () => {
        timer = undefined;
        void run();
      },
      ms ?? nextCheckDelay(server.health, unhealthy, random),
    );
  }

  async function run(): Promise<void> {
    if (!ctx.active() || checking) return;
    if (recovery.running) {
      schedule();
      return;
    }
    checking = true;
    if (probeGate && !probeGate()) {
      try {
        if (sessionMissing()) await reconnect();
      } finally {
        checking = false;
        schedule();
      }
      return;
    }
    const began = ctx.epoch;
    try {
      const result = await probe();
      // The process changed under the check (it exited, or a recovery restarted it): what the
      // check saw was the old one's end, which the exit already reported.
      if (!ctx.active() || recovery.running || began !== ctx.epoch) return;
      const now = clock.now();
      const inGrace = ctx.grace.covers(result.status, now);
      if (result.tool_count !== undefined) lastToolCount = result.tool_count;
      if (recordCheck(ctx, result, inGrace, now)) recovery.maybeRecover();
    } finally {
      checking = false;
      if (!recovery.running) schedule();
    }
  }

  /** One check's result, a lost session reopened first. */
  async function probe(): Promise<ProbeResult> {
    let result: ProbeResult | undefined;
    if (sessionMissing()) result = await reconnect();
    sessionExpired = false;
    result ??= await check();
    if (sessionExpired && ctx.active() && !recovery.running) {
      // The server forgot the session (it restarted, or expired it) and answered 404: it is
      // up. A new session and a second check decide, not the failure threshold.
      result = (await reconnect()) ?? (await check());
    }
    return result;
  }

  /** Opens a new MCP session; a failed check when that fails, else undefined. */
  async function reconnect(): Promise<ProbeResult | undefined> {
    const began = clock.now();
    try {
      await session.open();
      return undefined;
    } catch (error) {
      return {
        probe: sessionProbe(ctx),
        status: 'down',
        response_time_ms: clock.now() - began,
        error: errorMessage(error),
      };
    }
  }

  return {
    schedule,
    request() {
      if (!ctx.active() || !checksOn || recovery.running || checking) return;
      schedule(0);
    },
    cancel,
    sessionLost(lost) {
      if (!ctx.active() || recovery.running) return;
      recordLostSession(ctx, lost);
      schedule(0);
    },
    reportProcessUp() {
      if (checksOn || !supervisor?.current || !ctx.active()) return;
      recordProcessUp(ctx);
    },
  };
}
