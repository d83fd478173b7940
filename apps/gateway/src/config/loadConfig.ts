import { dirname, resolve } from 'node:path';
import {
  createRegistry,
  type EventEmissionSettings,
  MonitorError,
  type MonitoredServer,
  resolveEventEmission,
  transportOf,
} from '@selfheal/monitor';
import { resolveResilienceConfig } from '@selfheal/resilience';
import {
  configDefaults,
  DocumentReadError,
  type GatewayConfig,
  readDocument,
  type SelfhealConfig,
  type ServerConfig,
  validate,
} from '@selfheal/schemas';
import { type AlertSettings, resolveAlerts } from '../alerts/alertConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';

/** Transport of one upstream, resolved from `type`, `command` and `url`. */
export type UpstreamTransportKind = 'stdio' | 'streamable-http' | 'sse';

/** One upstream server as the gateway uses it: defaults applied, paths resolved. */
export interface UpstreamSpec {
  /** The key under `mcpServers`. */
  name: string;
  transport: UpstreamTransportKind;
  /** Namespace of its tools and prompts; `""` exposes names unchanged. @default the name */
  prefix: string;
  /** The raw entry, for fields the gateway passes through (`command`, `url`, `headers`, ...). */
  config: ServerConfig;
}

/** The gateway's settings with every default applied. */
export interface GatewaySettings {
  /** @default '127.0.0.1' */
  host: string;
  /** @default 4700 */
  port: number;
  /** @default '__' */
  separator: string;
  /** @default 'error' */
  onCollision: 'error' | 'first_wins';
  /** @default 'list_with_error' */
  degradation: 'list_with_error' | 'hide';
  auth: { tokenEnv?: string; tokenFile?: string };
  /** Host headers accepted; undefined: loopback names on the bound port. */
  allowedHosts?: string[];
  /** Origin headers accepted; undefined: loopback origins on the bound port. */
  allowedOrigins?: string[];
  /** @default 4194304 */
  maxBodyBytes: number;
  /**
   * Bytes held unsent for one client stream before the client is dropped (RFC 0006).
   * @default 8388608
   */
  maxClientBufferBytes: number;
  /**
   * Deadline of one forwarded request, reset by progress: the global `resilience.timeout_ms`.
   * @default 30000
   */
  requestTimeoutMs: number;
  /** Sessions clients get of their own with a server (RFC 0010). */
  clientSessions: {
    /** @default 64 */
    maxPerServer: number;
    /** `idle_timeout_seconds` in ms. @default 300000 */
    idleMs: number;
  };
}

/**
 * A validated config: the raw document, its enabled upstreams in file order, gateway settings,
 * and every server as the monitor runs it (the one resolution of `health_check` and `recovery`).
 */
export interface LoadedConfig {
  /** The file it came from, or `<embedded demo>`. */
  source: string;
  /** Where relative paths in it resolve from: the file's folder (the working folder for the demo). */
  baseDir: string;
  document: SelfhealConfig;
  upstreams: UpstreamSpec[];
  gateway: GatewaySettings;
  /**
   * Every server of `mcpServers` (disabled ones too) resolved for the monitor: schema defaults,
   * global sections, `SELFHEAL_*` environment overrides, the server's own sections; `cwd`
   * relative to {@link baseDir}.
   */
  servers: MonitoredServer[];
  /** `event_emission` with every default applied; `path` absolute (relative to {@link baseDir}). */
  eventEmission: EventEmissionSettings;
  /** `alerts` resolved (RFC 0015), secrets read from the environment; undefined when off. */
  alerts: AlertSettings | undefined;
}

/** Where {@link resolveConfig} reads the `SELFHEAL_*` overrides. */
export type ConfigEnv = Record<string, string | undefined>;

/**
 * Reads a JSON or YAML config file and validates it against the `config` schema.
 * @throws GatewayError(CONFIG_INVALID) naming the file and, for each problem, its JSON pointer.
 */
export async function loadConfigFile(
  file: string,
  env: ConfigEnv = process.env,
): Promise<LoadedConfig> {
  let document: unknown;
  try {
    document = await readDocument(file);
  } catch (cause) {
    const message = cause instanceof DocumentReadError ? cause.message : `${file}: ${cause}`;
    throw new GatewayError(GatewayErrorCode.ConfigInvalid, message, { cause });
  }
  // Relative paths (a stdio server's `cwd`, the token file, the event log) are relative to the
  // config file: resolveConfig resolves them all against its folder.
  return resolveConfig(document, file, dirname(resolve(file)), env);
}

/**
 * Validates an already parsed config document and applies defaults. Relative paths resolve
 * against `baseDir`, where stdio servers without a `cwd` also start.
 * @throws GatewayError(CONFIG_INVALID) listing every issue as `<source>: <pointer>: ...`, or
 * naming a bad `SELFHEAL_*` variable of `env`.
 */
export function resolveConfig(
  document: unknown,
  source: string,
  baseDir: string = process.cwd(),
  env: ConfigEnv = process.env,
): LoadedConfig {
  const result = validate('config', document);
  if (!result.valid) {
    const lines = result.issues.map((issue) => `  ${source}: ${issue.message}`);
    throw new GatewayError(
      GatewayErrorCode.ConfigInvalid,
      `${source}: invalid config (${result.issues.length} issue${result.issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      { data: result.issues },
    );
  }
  const config = document as SelfhealConfig;
  const upstreams: UpstreamSpec[] = [];
  for (const [name, server] of Object.entries(config.mcpServers)) {
    if (server.disabled) continue;
    upstreams.push({
      name,
      transport: transportOf(server),
      prefix: server.prefix ?? name,
      config: server,
    });
  }
  let servers: MonitoredServer[];
  try {
    servers = createRegistry(config, { env, baseDir });
  } catch (cause) {
    if (!(cause instanceof MonitorError)) throw cause;
    throw new GatewayError(GatewayErrorCode.ConfigInvalid, `${source}: ${cause.message}`, {
      cause,
    });
  }
  // One resolution of `cwd` (the registry's): the monitor's process and every per-client
  // process of a server start in the same folder.
  const cwdOf = new Map(servers.map((server) => [server.name, server.cwd]));
  for (const upstream of upstreams) {
    const cwd = cwdOf.get(upstream.name);
    if (cwd !== undefined) upstream.config = { ...upstream.config, cwd };
  }
  // Defaults come from the schema, as the monitor's and the resilience policy's do: one source.
  const defaults = gatewayDefaults();
  const g = { ...defaults, ...config.gateway };
  const sessions = { ...defaults.client_sessions, ...g.client_sessions };
  const emission = resolveEventEmission(config);
  const alerts = resolveAlerts(config.alerts, Object.keys(config.mcpServers), source, env);
  return {
    servers,
    alerts,
    source,
    baseDir,
    document: config,
    upstreams,
    eventEmission: { ...emission, path: resolve(baseDir, emission.path) },
    gateway: {
      host: g.host!,
      port: g.port!,
      separator: g.separator!,
      onCollision: g.on_collision!,
      degradation: g.degradation!,
      auth: {
        tokenEnv: g.auth?.token_env,
        tokenFile:
          g.auth?.token_file === undefined ? undefined : resolve(baseDir, g.auth.token_file),
      },
      allowedHosts: g.allowed_hosts,
      allowedOrigins: g.allowed_origins,
      maxBodyBytes: g.max_body_bytes!,
      maxClientBufferBytes: g.max_client_buffer_bytes!,
      requestTimeoutMs: resolveResilienceConfig(config.resilience).timeout_ms,
      clientSessions: {
        maxPerServer: sessions.max_per_server!,
        idleMs: sessions.idle_timeout_seconds! * 1000,
      },
    },
  };
}

/**
 * The `default` of every key of the config schema's `gateway` section (`client_sessions`'
 * nested), read from the schema so the documented and the applied defaults cannot drift.
 */
export function gatewayDefaults(): GatewayConfig {
  return configDefaults('Gateway') as GatewayConfig;
}
