import {
  type EventBus,
  type EventFactory,
  type EventInput,
  initialTrustState,
  isToolQuarantined,
  type KnownEventType,
  projectTrust,
  type ServerTrust,
  type TrustState,
} from '@selfheal/events';
import type { SelfhealConfig, SelfhealEvent } from '@selfheal/schemas';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import type { RawItem } from '../upstream/catalog.js';
import { createProtocolViolations } from './protocolViolations.js';
import { checkToolPins, toolHeldReason } from './toolPins.js';
import { resolveTrustSettings, type TrustSettings } from './trustSettings.js';
import { createTrustTracker } from './trustTracker.js';

/** Options of {@link createTrustGuard}. */
export interface TrustGuardOptions {
  document: SelfhealConfig;
  bus: EventBus;
  events: EventFactory;
  clock: { now(): number };
  /** Publishes an event on the bus (the gateway's `publishNow`). @default bus.publish */
  publish?: (event: SelfhealEvent) => void;
  /** Told once per tool definition whose outputSchema does not compile (left unchecked). */
  onUncompilable?: (message: string) => void;
}

/** Who approved, as the control request names them. */
export interface Approver {
  operator: string;
  operator_uid?: number;
  operator_pid?: number;
}

/** Trust scores, quarantine and tool pinning of one gateway (RFC 0017). */
export interface TrustGuard {
  /** Pins, pending definitions, scores and quarantines: the fold of the trust events so far. */
  state(): TrustState;
  /** Starts from a state folded from an earlier log (pins survive a restart). */
  seed(state: TrustState): void;
  settings(server: string): TrustSettings;
  /**
   * Takes the `trust` settings of a reloaded config: each server's are resolved again from
   * `document` on their next use (pins, scores and quarantines are kept: they are the log's).
   */
  reconfigure(document: SelfhealConfig): void;
  /** The server's score as last logged (`trust_changed`), else its neutral. */
  score(server: string): number;
  /**
   * Checks a server's listed tools against their pins and publishes what changed; returns
   * the tools that may be listed (held tools, and all of a quarantined server's in `hide`
   * mode, left out). Calls `onListChanged` when a tool entered or left quarantine.
   */
  filterTools(server: string, tools: readonly RawItem[]): RawItem[];
  /** Why `tool` of `server` may not be served now (the tool's or the server's quarantine). */
  refusal(server: string, tool: string): GatewayError | undefined;
  /**
   * Orders the places a call may be served: refused ones out, then by trust: a later one goes
   * first only when the bad share of its record is lower than an earlier one's by more than
   * `routing_margin`. A server `isDown` says is down keeps its place (the chain skips it).
   * @throws GatewayError (TOOL_QUARANTINED or SERVER_QUARANTINED) of the first when none is left.
   */
  route<T extends { server: string; name: string }>(
    targets: readonly T[],
    isDown?: (server: string) => boolean,
  ): T[];
  /** The bad share of the server's live record, which routing compares (see the tracker). */
  distrust(server: string): number;
  /** One upstream attempt of a tool call ended: answered (with its latency) or failed. */
  observeAttempt(server: string, ok: boolean, latencyMs: number): void;
  /**
   * One upstream attempt of tools/call `tool` (its upstream name) answered `result` after
   * `latencyMs`: checked against the tool's outputSchema (its pinned definition, else `listed`).
   * A result that breaks it is a protocol violation (logged, a `protocol_violation` signal, and
   * no `call_ok`); any other answer is an answered attempt. Returns what the client gets:
   * `result`, or by `trust.on_violation` a tool error naming the server, the tool and the first
   * schema error.
   */
  observeAnswer(
    server: string,
    tool: string,
    listed: RawItem | undefined,
    result: Record<string, unknown>,
    latencyMs: number,
  ): Record<string, unknown>;
  /**
   * `server` sent something that is not JSON-RPC (a stdout line, an HTTP answer or SSE event;
   * `error` says what): one protocol violation.
   */
  invalidMessage(server: string, error: Error): void;
  /**
   * `selfheal approve SERVER [TOOL]`: pins the tool's pending definition, or (without a tool)
   * ends the server's quarantine and approves every held tool of it.
   * @throws GatewayError(NO_ROUTE) when there is nothing to approve, naming what there is.
   */
  approve(server: string, tool: string | undefined, by: Approver): Record<string, unknown>;
  /** Called with a server whose listed tools changed (a tool or the server held or released). */
  onListChanged(listener: (server: string) => void): void;
  /** Stops following the bus. */
  close(): void;
}

/** Creates the {@link TrustGuard} of a gateway; it follows `bus` from now on. */
export function createTrustGuard(options: TrustGuardOptions): TrustGuard {
  const { bus, events, clock } = options;
  let document = options.document;
  const publishEvent = options.publish ?? ((e: SelfhealEvent) => bus.publish(e));
  let state: TrustState = initialTrustState;
  const listeners = new Set<(server: string) => void>();
  const settingsCache = new Map<string, TrustSettings>();
  const settings = (server: string) => {
    let s = settingsCache.get(server);
    if (!s) {
      s = resolveTrustSettings(document, server);
      settingsCache.set(server, s);
    }
    return s;
  };
  const server = (name: string): ServerTrust | undefined =>
    Object.hasOwn(state.servers, name) ? state.servers[name] : undefined;
  const publish = <T extends KnownEventType>(type: T, fields: EventInput<T>) => {
    const event = events.create(type, fields);
    publishEvent(event);
    return event;
  };
  const changed = (name: string) => {
    for (const listener of listeners) listener(name);
  };
  const projection = bus.events$.subscribe((event) => {
    const before = state;
    state = projectTrust(state, event);
    const name = event.server_name;
    if (name === undefined) return;
    if (
      state !== before &&
      event.event_type.startsWith('server_') &&
      settings(name).quarantine === 'hide'
    )
      queueMicrotask(() => changed(name));
    // Signals from the monitor's and the pins' events, after the event has reached every sink.
    const kind = signalOf(event);
    if (kind)
      queueMicrotask(() =>
        kind === 'check'
          ? tracker.checked(name, (event as { status?: string }).status !== 'down')
          : tracker.signal(name, kind),
      );
  });
  const tracker = createTrustTracker({ now: () => clock.now(), settings, server, publish });
  const violations = createProtocolViolations({
    clock,
    settings,
    server,
    publish,
    ...(options.onUncompilable ? { onUncompilable: options.onUncompilable } : {}),
  });

  const score = (name: string) => server(name)?.score ?? settings(name).score.neutral;
  const distrust = (name: string) => (settings(name).enabled ? tracker.distrust(name) : 0);
  const quarantined = (name: string) =>
    settings(name).enabled && server(name)?.quarantined !== undefined;

  const serverRefusal = (name: string) => {
    const q = server(name)?.quarantined;
    if (!q || !settings(name).enabled) return undefined;
    const s = settings(name);
    return new GatewayError(
      GatewayErrorCode.ServerQuarantined,
      `server "${name}" is quarantined since ${q.since}: its trust score ${q.score} fell below ${s.quarantineBelow}${q.reason ? ` (last signal: ${q.reason})` : ''}; it is released after ${s.probationChecks} good health checks in a row, or by \`selfheal approve ${name}\` on the gateway's host`,
      { data: { server: name, score: q.score, threshold: s.quarantineBelow, since: q.since } },
    );
  };
  const toolRefusal = (name: string, tool: string) => {
    const pin = server(name)?.tools[tool];
    const message = toolHeldReason(name, tool, pin);
    if (message === undefined) return undefined;
    return new GatewayError(GatewayErrorCode.ToolQuarantined, message, {
      data: {
        server: name,
        tool,
        ...(pin?.hash === undefined ? {} : { approved_hash: pin.hash }),
        ...(pin?.pending ? { listed_hash: pin.pending.hash, diff: pin.pending.diff } : {}),
      },
    });
  };
  const refusal = (name: string, tool: string) => toolRefusal(name, tool) ?? serverRefusal(name);

  return {
    state: () => state,
    seed(seeded) {
      state = seeded;
    },
    settings,
    score,
    filterTools(name, tools) {
      if (checkToolPins({ server, publish }, name, tools, settings(name))) changed(name);
      if (quarantined(name) && settings(name).quarantine === 'hide') return [];
      const pins = server(name)?.tools ?? {};
      return tools.filter((t) => !isToolQuarantined(pins[String(t.name)]));
    },
    refusal,
    route(targets, isDown = () => false) {
      const open = targets.filter((t) => refusal(t.server, t.name) === undefined);
      if (open.length === 0 && targets.length > 0)
        throw refusal(targets[0]!.server, targets[0]!.name)!;
      // A server that is down keeps its place: the chain skips it and says so (fallback_used).
      const movable = open.filter((t) => !isDown(t.server));
      const ordered: typeof movable = [];
      const rest = [...movable];
      while (rest.length > 0) {
        const first = rest[0]!;
        let best = first;
        for (const t of rest) if (distrust(t.server) < distrust(best.server)) best = t;
        const margin = settings(first.server).routingMargin;
        const pick = distrust(best.server) + margin < distrust(first.server) ? best : first;
        ordered.push(pick);
        rest.splice(rest.indexOf(pick), 1);
      }
      let next = 0;
      return open.map((t) => (isDown(t.server) ? t : ordered[next++]!));
    },
    distrust,
    reconfigure(next) {
      document = next;
      settingsCache.clear();
    },
    observeAttempt(name, ok, latencyMs) {
      if (ok) tracker.answered(name, latencyMs);
      else tracker.signal(name, 'call_failed');
    },
    observeAnswer(name, tool, listed, result, latencyMs) {
      const withheld = violations.checkResult(name, tool, listed, result);
      if (withheld === undefined) tracker.answered(name, latencyMs);
      return withheld ?? result;
    },
    invalidMessage: (name, error) => violations.invalidMessage(name, error),
    approve(name, tool, by) {
      const s = server(name);
      if (tool !== undefined) {
        const pin = s?.tools[tool];
        if (!pin?.pending) {
          const held = Object.entries(s?.tools ?? {})
            .filter(([, p]) => p.pending)
            .map(([t]) => t);
          throw new GatewayError(
            GatewayErrorCode.NoRoute,
            `nothing to approve: tool "${tool}" of server "${name}" ${pin ? 'is served at its approved definition' : 'was never listed'}${held.length > 0 ? `; tools of "${name}" waiting for approval: ${held.join(', ')}` : ''}`,
          );
        }
        publish('tool_approved', { server_name: name, tool, hash: pin.pending.hash, ...by });
        changed(name);
        return { server: name, tool, hash: pin.pending.hash };
      }
      const wasQuarantined = tracker.release(name, { ...by });
      const approved: string[] = [];
      for (const [t, pin] of Object.entries(s?.tools ?? {})) {
        if (!pin.pending) continue;
        publish('tool_approved', { server_name: name, tool: t, hash: pin.pending.hash, ...by });
        approved.push(t);
      }
      if (!wasQuarantined && approved.length === 0)
        throw new GatewayError(
          GatewayErrorCode.NoRoute,
          `nothing to approve: server "${name}" is not quarantined and has no tool waiting for approval (score ${score(name)})`,
        );
      changed(name);
      return { server: name, released: wasQuarantined, tools: approved };
    },
    onListChanged(listener) {
      listeners.add(listener);
    },
    close() {
      projection.unsubscribe();
      listeners.clear();
    },
  };
}

/** The trust signal an event of the log gives its server, if any. */
function signalOf(event: SelfhealEvent) {
  switch (event.event_type) {
    case 'health_check_completed':
      return (event as { status?: string }).status === 'degraded' ? undefined : ('check' as const);
    case 'server_down':
      return 'incident' as const;
    case 'server_recovered':
      return 'recovery' as const;
    case 'protocol_violation':
      return (event as { kind?: string }).kind === 'invalid_message'
        ? ('invalid_message' as const)
        : ('protocol_violation' as const);
    case 'tool_definition_changed':
      return (event as { reason?: string }).reason === 'changed'
        ? ('definition_changed' as const)
        : undefined;
    default:
      return undefined;
  }
}
