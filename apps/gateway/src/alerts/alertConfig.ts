import type { AlertRuleFields, AlertSink, AlertsConfig } from '@selfheal/schemas';
import { GatewayError, GatewayErrorCode } from '../errors.js';

/** How urgent an alert is; PagerDuty's `payload.severity` values. */
export type Severity = 'critical' | 'error' | 'warning' | 'info';

/** One pair of windows of a multi-window burn-rate rule (SRE workbook, chapter 5). */
export interface BurnWindow {
  longMs: number;
  shortMs: number;
  /** Fires while the burn rate over both windows is at least this. */
  burnRate: number;
  severity: Severity;
}

interface RuleBase {
  /** The key under `alerts.rules`. */
  name: string;
  severity: Severity;
  /** Sinks its notices go to. @default every configured sink */
  sinks: string[];
}

/** A rule with its defaults applied, for one server (per-server overrides merged). */
export type AlertRule = RuleBase &
  (
    | { type: 'down' /** @default 60000 */; afterMs: number }
    | { type: 'recovery_exhausted' }
    | {
        type: 'flapping';
        /** @default 3 */
        incidents: number;
        /** @default 600000 */
        windowMs: number;
      }
    | {
        type: 'event';
        fireOn: ReadonlySet<string>;
        clearOn: ReadonlySet<string>;
        /** @default 3600000 */
        resolveAfterMs: number;
      }
    | {
        type: 'slo_burn';
        objective: 'call_success' | 'availability';
        target: number;
        windows: BurnWindow[];
        /** @default 10 */
        minEvents: number;
      }
  );

/** A sink with its secrets read from the environment. */
export interface SinkSpec {
  name: string;
  type: 'webhook' | 'slack' | 'pagerduty' | 'command';
  url?: string;
  /** webhook: HMAC-SHA256 key. */
  secret?: string;
  /** pagerduty: the integration's routing key. */
  routingKey?: string;
  headers: Record<string, string>;
  source?: string;
  command?: string;
  timeoutMs: number;
  rateLimit: { max: number; perMs: number };
}

/** Backoff and deadlines of deliveries. */
export interface DeliverySettings {
  initialMs: number;
  multiplier: number;
  maxMs: number;
  /** A notice owed longer than this is given up. @default 86400000 */
  giveUpMs: number;
}

/** `alerts` resolved: the rules of each server, the sinks, the delivery settings. */
export interface AlertSettings {
  /** Every rule's name, in config order. */
  ruleNames: string[];
  /** The servers under `mcpServers`. */
  servers: ReadonlySet<string>;
  /** The rules that apply to `server` (`''`: events that name no server), overrides merged. */
  rulesFor(server: string): readonly AlertRule[];
  sinks: ReadonlyMap<string, SinkSpec>;
  delivery: DeliverySettings;
}

/** The SRE workbook's recommended multi-window, multi-burn-rate alerts (table 5-8). */
export const DEFAULT_BURN_WINDOWS: readonly BurnWindow[] = [
  { longMs: 3_600_000, shortMs: 300_000, burnRate: 14.4, severity: 'critical' },
  { longMs: 21_600_000, shortMs: 1_800_000, burnRate: 6, severity: 'critical' },
  { longMs: 259_200_000, shortMs: 21_600_000, burnRate: 1, severity: 'warning' },
];

const DEFAULT_SEVERITY: Record<AlertRule['type'], Severity> = {
  down: 'critical',
  recovery_exhausted: 'critical',
  flapping: 'warning',
  event: 'warning',
  slo_burn: 'critical',
};

/**
 * Resolves the `alerts` section of a validated config: defaults, per-server overrides, and
 * secrets from `env`. Undefined when there is none or it is `enabled: false`.
 * @throws GatewayError(CONFIG_INVALID) naming the key (`alerts.sinks.pd.routing_key_env`, ...)
 *   for a reference to an unknown sink, rule or server, or an environment variable not set.
 */
export function resolveAlerts(
  alerts: AlertsConfig | undefined,
  serverNames: readonly string[],
  source: string,
  env: Record<string, string | undefined>,
): AlertSettings | undefined {
  if (!alerts || alerts.enabled === false) return undefined;
  const fail = (message: string) =>
    new GatewayError(GatewayErrorCode.ConfigInvalid, `${source}: ${message}`);
  const delivery = alerts.delivery ?? {};
  const defaultTimeoutMs = (delivery.timeout_seconds ?? 10) * 1000;
  const defaultRate = delivery.rate_limit ?? {};
  const sinks = new Map<string, SinkSpec>();
  for (const [name, sink] of Object.entries(alerts.sinks ?? {})) {
    sinks.set(name, resolveSink(name, sink, env, defaultTimeoutMs, defaultRate, fail));
  }
  const base = new Map<string, AlertRuleFields & { type: AlertRule['type'] }>();
  for (const [name, rule] of Object.entries(alerts.rules ?? {})) {
    base.set(name, rule as AlertRuleFields & { type: AlertRule['type'] });
    checkSinks(rule.sinks, `alerts.rules.${name}.sinks`, sinks, fail);
  }
  const known = new Set(serverNames);
  const overrides = alerts.servers ?? {};
  for (const [server, rules] of Object.entries(overrides)) {
    if (!known.has(server)) {
      throw fail(
        `alerts.servers.${server}: no server "${server}" under mcpServers (known: ${[...known].join(', ') || 'none'})`,
      );
    }
    for (const [rule, override] of Object.entries(rules)) {
      if (!base.has(rule)) {
        throw fail(
          `alerts.servers.${server}.${rule}: no rule "${rule}" under alerts.rules (known: ${[...base.keys()].join(', ') || 'none'})`,
        );
      }
      if (override !== false) {
        checkSinks(override.sinks, `alerts.servers.${server}.${rule}.sinks`, sinks, fail);
      }
    }
  }
  const allSinks = [...sinks.keys()];
  const cache = new Map<string, AlertRule[]>();
  return {
    ruleNames: [...base.keys()],
    servers: known,
    sinks,
    delivery: {
      initialMs: (delivery.retry?.initial_seconds ?? 1) * 1000,
      multiplier: delivery.retry?.multiplier ?? 2,
      maxMs: (delivery.retry?.max_seconds ?? 60) * 1000,
      giveUpMs: (delivery.give_up_after_seconds ?? 86_400) * 1000,
    },
    rulesFor(server) {
      let rules = cache.get(server);
      if (!rules) {
        rules = [];
        for (const [name, fields] of base) {
          const override = overrides[server]?.[name];
          if (override === false) continue;
          const merged = { ...fields, ...(override ?? {}) };
          if (merged.enabled === false) continue;
          rules.push(toRule(name, merged, allSinks));
        }
        cache.set(server, rules);
      }
      return rules;
    },
  };
}

function checkSinks(
  names: string[] | undefined,
  where: string,
  sinks: ReadonlyMap<string, SinkSpec>,
  fail: (message: string) => Error,
): void {
  for (const name of names ?? []) {
    if (!sinks.has(name)) {
      throw fail(
        `${where}: no sink "${name}" under alerts.sinks (known: ${[...sinks.keys()].join(', ') || 'none'})`,
      );
    }
  }
}

function resolveSink(
  name: string,
  sink: AlertSink,
  env: Record<string, string | undefined>,
  defaultTimeoutMs: number,
  defaultRate: { max?: number; per_seconds?: number },
  fail: (message: string) => Error,
): SinkSpec {
  const fromEnv = (key: 'url_env' | 'secret_env' | 'routing_key_env'): string | undefined => {
    const variable = sink[key];
    if (variable === undefined) return undefined;
    const value = env[variable];
    if (value === undefined || value === '') {
      throw fail(
        `alerts.sinks.${name}.${key}: the environment variable ${variable} is not set (export it before starting selfheal)`,
      );
    }
    return value;
  };
  const url = sink.url ?? fromEnv('url_env');
  if (url !== undefined && sink.url === undefined && !/^https?:\/\//.test(url)) {
    throw fail(
      `alerts.sinks.${name}.url_env: ${sink.url_env} holds no http(s) URL (it starts "${url.slice(0, 12)}")`,
    );
  }
  const rate = sink.rate_limit ?? defaultRate;
  return {
    name,
    type: sink.type,
    url: url ?? (sink.type === 'pagerduty' ? 'https://events.pagerduty.com/v2/enqueue' : undefined),
    secret: fromEnv('secret_env'),
    routingKey: fromEnv('routing_key_env'),
    headers: sink.headers ?? {},
    source: sink.source,
    command: sink.command,
    timeoutMs: sink.timeout_seconds !== undefined ? sink.timeout_seconds * 1000 : defaultTimeoutMs,
    rateLimit: { max: rate.max ?? 30, perMs: (rate.per_seconds ?? 60) * 1000 },
  };
}

function toRule(
  name: string,
  f: AlertRuleFields & { type: AlertRule['type'] },
  allSinks: string[],
): AlertRule {
  const base = {
    name,
    severity: (f.severity ?? DEFAULT_SEVERITY[f.type]) as Severity,
    sinks: f.sinks ?? allSinks,
  };
  switch (f.type) {
    case 'down':
      return { ...base, type: 'down', afterMs: (f.after_seconds ?? 60) * 1000 };
    case 'recovery_exhausted':
      return { ...base, type: 'recovery_exhausted' };
    case 'flapping':
      return {
        ...base,
        type: 'flapping',
        incidents: f.incidents ?? 3,
        windowMs: (f.window_seconds ?? 600) * 1000,
      };
    case 'event':
      return {
        ...base,
        type: 'event',
        fireOn: new Set(f.fire_on ?? []),
        clearOn: new Set(f.clear_on ?? []),
        resolveAfterMs: (f.resolve_after_seconds ?? 3600) * 1000,
      };
    case 'slo_burn':
      return {
        ...base,
        type: 'slo_burn',
        objective: f.objective ?? 'call_success',
        target: f.target ?? 0.999,
        minEvents: f.min_events ?? 10,
        windows: f.windows
          ? f.windows.map((w) => ({
              longMs: w.long_seconds * 1000,
              shortMs: w.short_seconds * 1000,
              burnRate: w.burn_rate,
              severity: (w.severity ?? base.severity) as Severity,
            }))
          : [...DEFAULT_BURN_WINDOWS],
      };
  }
}
