import { isDeepStrictEqual } from 'node:util';
import type { GatewaySettings, LoadedConfig, UpstreamSpec } from './loadConfig.js';

/** What a config reload changes (RFC 0019). Server names are in the new config's order. */
export interface ConfigDiff {
  /** Servers only the new config has. */
  added: string[];
  /** Servers only the old config has. */
  removed: string[];
  /**
   * Servers in both whose resolved entry differs: their own section, or a global section they
   * inherit (`health_check`, `recovery`, `resilience`), or the request deadline.
   */
  changed: string[];
  /** Servers in both with the same resolved entry: left running as they are. */
  unchanged: string[];
  /**
   * Changed settings a running gateway cannot take (its listening address, auth, limits of the
   * HTTP face, the event log, alerts), as config paths; they keep their old values until a
   * restart.
   */
  restartRequired: string[];
  /** Whether a setting that names or hides tools changed (`separator`, `degradation`, `fallbacks`). */
  namingChanged: boolean;
}

/** Gateway settings a reload applies at once; every other one needs a restart. */
export const LIVE_GATEWAY_SETTINGS = [
  'separator',
  'onCollision',
  'degradation',
  'requestTimeoutMs',
] as const satisfies readonly (keyof GatewaySettings)[];

/** The config path of each gateway setting a reload cannot apply. */
const RESTART_PATHS: Record<
  Exclude<keyof GatewaySettings, (typeof LIVE_GATEWAY_SETTINGS)[number]>,
  string
> = {
  host: 'gateway.host',
  port: 'gateway.port',
  auth: 'gateway.auth',
  allowedHosts: 'gateway.allowed_hosts',
  allowedOrigins: 'gateway.allowed_origins',
  maxBodyBytes: 'gateway.max_body_bytes',
  maxClientBufferBytes: 'gateway.max_client_buffer_bytes',
  clientSessions: 'gateway.client_sessions',
};

/**
 * Compares two resolved configs server by server. A server's entry is everything the gateway
 * and monitor resolved for it (the monitor's settings, the upstream spec, the resilience
 * sections it inherits), so a change to a global section counts for every server that inherits
 * it, and a reformatted file with the same meaning changes nothing.
 */
export function diffConfigs(previous: LoadedConfig, next: LoadedConfig): ConfigDiff {
  const before = entries(previous);
  const after = entries(next);
  const diff: ConfigDiff = {
    added: [],
    removed: [],
    changed: [],
    unchanged: [],
    restartRequired: [],
    namingChanged: false,
  };
  for (const [name, entry] of after) {
    const old = before.get(name);
    if (old === undefined) diff.added.push(name);
    else if (isDeepStrictEqual(old, entry)) diff.unchanged.push(name);
    else diff.changed.push(name);
  }
  for (const name of before.keys()) if (!after.has(name)) diff.removed.push(name);
  for (const [key, path] of Object.entries(RESTART_PATHS)) {
    const k = key as keyof typeof RESTART_PATHS;
    if (!isDeepStrictEqual(previous.gateway[k], next.gateway[k])) diff.restartRequired.push(path);
  }
  // The resolved log settings, and what only replicas read (`event_emission.nats`).
  if (
    !isDeepStrictEqual(previous.eventEmission, next.eventEmission) ||
    !isDeepStrictEqual(previous.document.event_emission?.nats, next.document.event_emission?.nats)
  )
    diff.restartRequired.push('event_emission');
  if (!isDeepStrictEqual(previous.document.alerts, next.document.alerts))
    diff.restartRequired.push('alerts');
  diff.namingChanged =
    previous.gateway.separator !== next.gateway.separator ||
    previous.gateway.degradation !== next.gateway.degradation ||
    !isDeepStrictEqual(previous.document.fallbacks ?? {}, next.document.fallbacks ?? {});
  return diff;
}

/** Each server's resolved entry, by name, in config order (disabled servers included). */
function entries(config: LoadedConfig): Map<string, unknown> {
  const specs = new Map(config.upstreams.map((spec) => [spec.name, spec]));
  return new Map(
    config.servers.map((server) => [
      server.name,
      {
        server,
        spec: routingOf(specs.get(server.name)),
        resilience: config.document.resilience ?? null,
        requestTimeoutMs: config.gateway.requestTimeoutMs,
      },
    ]),
  );
}

/** Keys of a server's entry the monitor's resolved server already carries, defaults applied. */
const RESOLVED_BY_MONITOR = [
  'type',
  'command',
  'args',
  'env',
  'cwd',
  'url',
  'headers',
  'health_url',
  'health_check',
  'recovery',
  'disabled',
];

/** What the gateway alone reads of a server's entry (prefix, tools, fallback, session, ...). */
function routingOf(spec: UpstreamSpec | undefined): unknown {
  if (spec === undefined) return null;
  const rest = Object.fromEntries(
    Object.entries(spec.config).filter(([key]) => !RESOLVED_BY_MONITOR.includes(key)),
  );
  return { transport: spec.transport, prefix: spec.prefix, rest };
}
