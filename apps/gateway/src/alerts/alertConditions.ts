import type { SelfhealEvent } from '@selfheal/schemas';
import type { AlertRule, Severity } from './alertConfig.js';

/**
 * What a rule says about a server now: `firing` (open an alert if none is), `clear` (resolve
 * the open one), or `unknown` (do neither: not yet past a threshold, or nothing seen since a
 * restart).
 */
export type Condition =
  | { status: 'firing'; severity: Severity; summary: string; details: Record<string, unknown> }
  | { status: 'clear'; summary: string }
  | { status: 'unknown' };

interface SloBuckets {
  bucketMs: number;
  /** bucket index -> [good, bad] */
  counts: Map<number, [number, number]>;
}

/** What the rules track of one server. */
interface ServerTrack {
  /** When the current `server_down` began; undefined while up or not known. */
  downSince: number | undefined;
  /** down: `up` once the server answered, `unknown` after a (re)registration. */
  health: 'up' | 'down' | 'unknown';
  exhausted: 'yes' | 'no' | 'unknown';
  /** Times of `server_down` events, for flapping, pruned to the longest flapping window. */
  downs: number[];
  /** event rules: the last matching event, or a clearing one. */
  matched: Map<string, { firing: boolean; at: number; type: string }>;
  slo: Map<string, SloBuckets>;
}

/**
 * The rules' view of the event stream: a fold of events into per-server facts. Deterministic:
 * it reads no clock (times come from each event's `timestamp`) and does no I/O; the same
 * events give the same state. It owns its maps and updates them in place (a call_completed
 * per call passes through it).
 */
export interface ConditionState {
  readonly servers: Map<string, ServerTrack>;
}

/** An empty {@link ConditionState}. */
export function initialConditions(): ConditionState {
  return { servers: new Map() };
}

function track(state: ConditionState, server: string): ServerTrack {
  let t = state.servers.get(server);
  if (!t) {
    t = {
      downSince: undefined,
      health: 'unknown',
      exhausted: 'unknown',
      downs: [],
      matched: new Map(),
      slo: new Map(),
    };
    state.servers.set(server, t);
  }
  return t;
}

/** Whether a call outcome counts against call success (ok and a tool's own error are served). */
const BAD_OUTCOMES = new Set(['error', 'timeout', 'rejected']);
const GOOD_OUTCOMES = new Set(['ok', 'tool_error']);

/**
 * Folds one event into `state` for the rules of its server (`rules`: those of
 * `event.server_name`, or of `''` for an event naming none). Returns what changed: nothing,
 * only burn-rate counts (decided on their bucket ticks), or facts other rules read.
 */
export function observe(
  state: ConditionState,
  event: SelfhealEvent,
  rules: readonly AlertRule[],
): 'none' | 'counts' | 'facts' {
  const server = typeof event.server_name === 'string' ? event.server_name : '';
  const at = Date.parse(event.timestamp);
  if (!Number.isFinite(at)) return 'none';
  const type = event.event_type;
  const e = event as Record<string, unknown>;
  let changed = false;
  let counted = false;
  if (server !== '') {
    switch (type) {
      case 'server_down': {
        const t = track(state, server);
        t.downSince ??= at;
        t.health = 'down';
        t.downs.push(at);
        const windowMs = Math.max(0, ...rules.map((r) => (r.type === 'flapping' ? r.windowMs : 0)));
        while (t.downs.length > 0 && t.downs[0]! <= at - windowMs) t.downs.shift();
        changed = true;
        break;
      }
      case 'server_recovered':
      case 'server_degraded':
      case 'server_disabled': {
        const t = track(state, server);
        t.downSince = undefined;
        t.health = 'up';
        t.exhausted = 'no';
        changed = true;
        break;
      }
      // A (re)registered or re-enabled server is not known to be up or down yet: an alert
      // open from before a restart stays open until the server is seen up.
      case 'server_registered':
      case 'server_enabled': {
        const t = track(state, server);
        t.downSince = undefined;
        t.health = 'unknown';
        if (t.exhausted === 'yes') t.exhausted = 'unknown';
        changed = true;
        break;
      }
      case 'recovery_exhausted': {
        track(state, server).exhausted = 'yes';
        changed = true;
        break;
      }
    }
  }
  for (const rule of rules) {
    if (rule.type === 'event') {
      const fires = rule.fireOn.has(type);
      if (fires || rule.clearOn.has(type)) {
        track(state, server).matched.set(rule.name, { firing: fires, at, type });
        changed = true;
      }
    } else if (rule.type === 'slo_burn') {
      let good: boolean | undefined;
      if (rule.objective === 'call_success' && type === 'call_completed') {
        const outcome = e.outcome as string;
        good = GOOD_OUTCOMES.has(outcome) ? true : BAD_OUTCOMES.has(outcome) ? false : undefined;
      } else if (rule.objective === 'availability' && type === 'health_check_completed') {
        good = e.status === 'down' ? false : e.status === 'ok' || e.status === 'degraded';
      }
      if (good !== undefined && server !== '') {
        countSlo(track(state, server), rule, at, good);
        counted = true;
      }
    }
  }
  return changed ? 'facts' : counted ? 'counts' : 'none';
}

function countSlo(
  t: ServerTrack,
  rule: Extract<AlertRule, { type: 'slo_burn' }>,
  at: number,
  good: boolean,
): void {
  let b = t.slo.get(rule.name);
  if (!b) {
    const shortest = Math.min(...rule.windows.map((w) => w.shortMs));
    b = { bucketMs: Math.max(1000, Math.floor(shortest / 10)), counts: new Map() };
    t.slo.set(rule.name, b);
  }
  const index = Math.floor(at / b.bucketMs);
  let c = b.counts.get(index);
  if (!c) {
    c = [0, 0];
    b.counts.set(index, c);
    // Prune once per new bucket: nothing older than the longest window is read again.
    const longest = Math.max(...rule.windows.map((w) => w.longMs));
    const oldest = index - Math.ceil(longest / b.bucketMs);
    for (const key of b.counts.keys()) if (key < oldest) b.counts.delete(key);
  }
  c[good ? 0 : 1]++;
}

/** What `rule` says about `server` at `now` (epoch ms). */
export function evaluate(
  state: ConditionState,
  rule: AlertRule,
  server: string,
  now: number,
): Condition {
  const t = state.servers.get(server);
  if (!t) return { status: 'unknown' };
  const who = server === '' ? 'the gateway' : server;
  switch (rule.type) {
    case 'down': {
      if (t.health === 'up') return { status: 'clear', summary: `${who} is up again` };
      if (t.downSince === undefined || now - t.downSince < rule.afterMs)
        return { status: 'unknown' };
      const seconds = Math.round((now - t.downSince) / 1000);
      return {
        status: 'firing',
        severity: rule.severity,
        summary: `${who} has been down for ${seconds} s (threshold ${rule.afterMs / 1000} s)`,
        details: {
          down_since: new Date(t.downSince).toISOString(),
          after_seconds: rule.afterMs / 1000,
        },
      };
    }
    case 'recovery_exhausted':
      if (t.exhausted === 'yes') {
        return {
          status: 'firing',
          severity: rule.severity,
          summary: `${who}: automatic recovery gave up; it waits for an operator (selfheal monitor reset ${server})`,
          details: {},
        };
      }
      return t.exhausted === 'no'
        ? { status: 'clear', summary: `${who} is serving again` }
        : { status: 'unknown' };
    case 'flapping': {
      const recent = t.downs.filter((at) => at > now - rule.windowMs).length;
      if (recent >= rule.incidents) {
        return {
          status: 'firing',
          severity: rule.severity,
          summary: `${who} went down ${recent} times in ${rule.windowMs / 1000} s (threshold ${rule.incidents})`,
          details: { incidents: recent, window_seconds: rule.windowMs / 1000 },
        };
      }
      return { status: 'clear', summary: `${who} has stopped flapping` };
    }
    case 'event': {
      const m = t.matched.get(rule.name);
      if (!m) return { status: 'unknown' };
      if (m.firing && now - m.at < rule.resolveAfterMs) {
        return {
          status: 'firing',
          severity: rule.severity,
          summary: `${who}: ${m.type}`,
          details: { event_type: m.type, at: new Date(m.at).toISOString() },
        };
      }
      return {
        status: 'clear',
        summary: m.firing
          ? `${who}: no ${m.type} for ${rule.resolveAfterMs / 1000} s`
          : `${who}: ${m.type}`,
      };
    }
    case 'slo_burn':
      return evaluateSlo(t, rule, who, now);
  }
}

function evaluateSlo(
  t: ServerTrack,
  rule: Extract<AlertRule, { type: 'slo_burn' }>,
  who: string,
  now: number,
): Condition {
  const b = t.slo.get(rule.name);
  if (!b) return { status: 'unknown' };
  const budget = 1 - rule.target;
  const sum = (ms: number): [number, number] => {
    const from = Math.floor((now - ms) / b.bucketMs);
    const to = Math.floor(now / b.bucketMs);
    let good = 0;
    let bad = 0;
    for (const [index, c] of b.counts) {
      // The bucket holding now - ms is partly inside the window: counted whole.
      if (index >= from && index <= to) {
        good += c[0];
        bad += c[1];
      }
    }
    return [good, bad];
  };
  const rank: Record<Severity, number> = { critical: 3, error: 2, warning: 1, info: 0 };
  let worst: { severity: Severity; details: Record<string, unknown> } | undefined;
  let enough = false;
  for (const w of rule.windows) {
    const [lg, lb] = sum(w.longMs);
    const [sg, sb] = sum(w.shortMs);
    if (lg + lb < rule.minEvents) continue;
    enough = true;
    const longBurn = lb / (lg + lb) / budget;
    const shortBurn = sg + sb === 0 ? 0 : sb / (sg + sb) / budget;
    if (longBurn >= w.burnRate && shortBurn >= w.burnRate) {
      if (!worst || rank[w.severity] > rank[worst.severity]) {
        worst = {
          severity: w.severity,
          details: {
            objective: rule.objective,
            target: rule.target,
            burn_rate_threshold: w.burnRate,
            long_seconds: w.longMs / 1000,
            short_seconds: w.shortMs / 1000,
            long_burn_rate: round(longBurn),
            short_burn_rate: round(shortBurn),
            long_events: lg + lb,
            long_bad: lb,
          },
        };
      }
    }
  }
  const what = rule.objective === 'call_success' ? 'call success' : 'availability';
  if (worst) {
    const d = worst.details;
    return {
      status: 'firing',
      severity: worst.severity,
      summary: `${who}: ${what} burns its error budget ${d.long_burn_rate}x over ${d.long_seconds} s and ${d.short_burn_rate}x over ${d.short_seconds} s (threshold ${d.burn_rate_threshold}x, target ${rule.target})`,
      details: worst.details,
    };
  }
  return enough
    ? { status: 'clear', summary: `${who}: ${what} burn rate is back under its thresholds` }
    : { status: 'unknown' };
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * The next time (epoch ms, > now) at which `rule`'s condition for `server` can change with no
 * new event: a down threshold crossed, an incident leaving the flapping window, an event
 * rule's resolve_after, the next burn-rate bucket. Undefined when only an event can change it.
 */
export function nextChange(
  state: ConditionState,
  rule: AlertRule,
  server: string,
  now: number,
): number | undefined {
  const t = state.servers.get(server);
  if (!t) return undefined;
  switch (rule.type) {
    case 'down':
      return t.downSince !== undefined && t.health !== 'up' && t.downSince + rule.afterMs > now
        ? t.downSince + rule.afterMs
        : undefined;
    case 'recovery_exhausted':
      return undefined;
    case 'flapping': {
      const recent = t.downs.filter((at) => at > now - rule.windowMs);
      if (recent.length < rule.incidents) return undefined;
      return recent[recent.length - rule.incidents]! + rule.windowMs;
    }
    case 'event': {
      const m = t.matched.get(rule.name);
      return m?.firing && m.at + rule.resolveAfterMs > now ? m.at + rule.resolveAfterMs : undefined;
    }
    case 'slo_burn': {
      const b = t.slo.get(rule.name);
      if (!b || b.counts.size === 0) return undefined;
      return (Math.floor(now / b.bucketMs) + 1) * b.bucketMs;
    }
  }
}

/** The earliest {@link nextChange} of `rules` for `server`; undefined when none is coming. */
export function earliestChange(
  state: ConditionState,
  rules: readonly AlertRule[],
  server: string,
  now: number,
): number | undefined {
  let next: number | undefined;
  for (const rule of rules) {
    const at = nextChange(state, rule, server, now);
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}
