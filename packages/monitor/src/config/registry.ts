import { dirname, resolve } from 'node:path';
import { mergeDeep } from '@selfheal/internal';
import { configDefaults, type SelfhealConfig, type ServerConfig } from '@selfheal/schemas';
import { healthEnvOverrides } from './envOverrides.js';

/** The probes a monitor can run against one server. */
export type ProbeKind = 'http' | 'ping' | 'tools' | 'process';

/** A server's resolved `health_check` section, times in ms. */
export interface HealthSettings {
  enabled: boolean;
  intervalMs: number;
  unhealthyIntervalMs: number;
  jitter: number;
  timeoutMs: number;
  failureThreshold: number;
  successThreshold: number;
  startupGraceMs: number;
  staleAfterMs: number;
  probes: ProbeKind[];
}

/** A server's resolved `recovery` section, times in ms. */
export interface RecoverySettings {
  strategy: 'restart' | 'command' | 'manual';
  /** The operator's command (strategy `command`), run with a shell. */
  command?: string;
  commandTimeoutMs: number;
  maxAttempts: number;
  backoff: { initialMs: number; multiplier: number; maxMs: number };
  stopGraceMs: number;
  resetAfterMs: number;
  /**
   * A server up and answering at least this long when it went down is recovered at once (no
   * backoff wait before that attempt), ms.
   */
  stableAfterMs: number;
}

/** One upstream as the monitor sees it: how to reach it, how to watch it, how to heal it. */
export interface MonitoredServer {
  name: string;
  transport: 'stdio' | 'streamable-http' | 'sse';
  /** stdio: what to spawn. */
  command?: string;
  args: string[];
  env: Record<string, string>;
  /**
   * stdio: the process's working folder, absolute: the config's `cwd` resolved against the
   * config file's folder, and that folder itself when `cwd` is not set (so `npx ...` and
   * `node ./server.mjs` behave the same wherever the monitor or gateway was started).
   */
  cwd?: string;
  /** HTTP and SSE: the MCP endpoint. */
  url?: string;
  headers: Record<string, string>;
  /** The W3 `/health` endpoint, when there is one. */
  healthUrl?: string;
  /**
   * True when `healthUrl` was not configured but derived from `url` (its origin + `/health`):
   * the server may not serve one, and a 404 there means "no endpoint", not "down".
   */
  healthUrlDerived?: boolean;
  /** `disabled: true` in the config: not started and not watched. */
  disabled: boolean;
  health: HealthSettings;
  recovery: RecoverySettings;
}

/** What {@link createRegistry} needs beside the config. */
export interface RegistryOptions {
  /** Environment for the `SELFHEAL_*` overrides. @default process.env */
  env?: Record<string, string | undefined>;
  /**
   * The config file, to resolve relative paths (`cwd`) and as the stdio servers' working
   * folder. @default the process's cwd
   */
  file?: string;
  /**
   * Where relative paths resolve from and stdio servers start; wins over `file`.
   * @default the folder of `file`
   */
  baseDir?: string;
}

/**
 * Resolves every server of an already validated config into a {@link MonitoredServer}.
 * Each setting comes from, lowest to highest: the schema's default, the global section, the
 * `SELFHEAL_*` environment overrides, the server's own section (merged key by key, so a
 * server that sets only `max_attempts` keeps the global backoff). The environment overrides
 * the fleet-wide value; a value written for one server is deliberate and stays.
 * @throws MonitorError ENV_INVALID for a bad `SELFHEAL_*` value.
 */
export function createRegistry(
  config: SelfhealConfig,
  options: RegistryOptions = {},
): MonitoredServer[] {
  const envHealth = healthEnvOverrides(options.env ?? process.env);
  const base = options.baseDir ?? (options.file ? dirname(resolve(options.file)) : process.cwd());
  const healthDefaults = configDefaults('HealthCheck');
  const recoveryDefaults = configDefaults('Recovery');
  return Object.entries(config.mcpServers).map(([name, server]) => {
    const health = mergeDeep(healthDefaults, config.health_check, envHealth, server.health_check);
    const recovery = mergeDeep(recoveryDefaults, config.recovery, server.recovery);
    return resolveServer(name, server, health, recovery, base);
  });
}

function resolveServer(
  name: string,
  server: ServerConfig,
  health: Record<string, unknown>,
  recovery: Record<string, unknown>,
  base: string,
): MonitoredServer {
  const transport = transportOf(server);
  const healthUrl =
    server.health_url ?? (server.url ? new URL('/health', server.url).href : undefined);
  const backoff = (recovery.backoff ?? {}) as Record<string, number>;
  const seconds = (value: unknown) => Number(value) * 1000;
  return {
    name,
    transport,
    ...(server.command !== undefined && { command: server.command }),
    args: server.args ?? [],
    env: server.env ?? {},
    ...(transport === 'stdio' && { cwd: resolve(base, server.cwd ?? '.') }),
    ...(server.url !== undefined && { url: server.url }),
    headers: server.headers ?? {},
    ...(healthUrl !== undefined && { healthUrl }),
    ...(healthUrl !== undefined && server.health_url === undefined && { healthUrlDerived: true }),
    disabled: server.disabled ?? false,
    health: {
      enabled: health.enabled as boolean,
      intervalMs: seconds(health.interval_seconds),
      unhealthyIntervalMs: seconds(health.unhealthy_interval_seconds),
      jitter: health.jitter as number,
      timeoutMs: seconds(health.timeout_seconds),
      failureThreshold: health.failure_threshold as number,
      successThreshold: health.success_threshold as number,
      startupGraceMs: seconds(health.startup_grace_seconds),
      staleAfterMs: seconds(health.stale_after_seconds),
      probes: (health.probes as ProbeKind[] | undefined) ?? defaultProbes(transport, healthUrl),
    },
    recovery: {
      strategy: recovery.strategy as RecoverySettings['strategy'],
      ...(recovery.command !== undefined && { command: recovery.command as string }),
      commandTimeoutMs: seconds(recovery.command_timeout_seconds),
      maxAttempts: recovery.max_attempts as number,
      backoff: {
        initialMs: seconds(backoff.initial_seconds),
        multiplier: Number(backoff.multiplier),
        maxMs: seconds(backoff.max_seconds),
      },
      stopGraceMs: seconds(recovery.stop_grace_seconds),
      resetAfterMs: seconds(recovery.reset_after_seconds),
      stableAfterMs: seconds(recovery.stable_after_seconds),
    },
  };
}

/**
 * How a server is reached: `type` when it names one (`sse`; `http` / `streamable-http`),
 * else stdio when there is a `command`, else Streamable HTTP. The gateway and the monitor
 * both use this, so they never disagree about a server.
 */
export function transportOf(server: ServerConfig): MonitoredServer['transport'] {
  if (server.type === 'sse') return 'sse';
  if (server.type === 'http' || server.type === 'streamable-http') return 'streamable-http';
  return server.command !== undefined ? 'stdio' : 'streamable-http';
}

/** The schema's documented default: http when a health URL is known, ping, process for stdio. */
function defaultProbes(transport: MonitoredServer['transport'], healthUrl?: string): ProbeKind[] {
  const probes: ProbeKind[] = [];
  if (healthUrl) probes.push('http');
  probes.push('ping');
  if (transport === 'stdio') probes.push('process');
  return probes;
}
