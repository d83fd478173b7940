import { access, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createEventLog,
  createFileSink,
  type EventLog,
  listLogFiles,
  replayLogs,
  type StoredEvent,
} from '@selfheal/events';
import { type AlertService, type FleetAlerts, startAlerts } from '../alerts/alertService.js';
import { demoConfig } from '../config/demoConfig.js';
import { type LoadedConfig, loadConfigFile } from '../config/loadConfig.js';
import type { Gateway } from '../gateway.js';
import type { CallLogLevel } from '../observability/callLog.js';
import { createCallSummarySink } from '../observability/callSummary.js';

/** Parses the options shared by `start` and `stdio`. @throws TypeError on unknown options */
export function parseGatewayArgs(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      'call-log': { type: 'string', default: 'info' },
      control: { type: 'string' },
      'allow-unauthenticated': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535)
      throw new TypeError(`--port expects an integer 0..65535, found "${values.port}"`);
  }
  const callLog = values['call-log'];
  if (callLog !== 'info' && callLog !== 'warn' && callLog !== 'off')
    throw new TypeError(`--call-log expects info, warn or off, found "${callLog}"`);
  return { ...values, port, callLog: callLog as CallLogLevel };
}

/** {@link parseGatewayArgs} in the shape `parseCommand` takes. */
export function parseGatewayCommand(argv: string[]) {
  return { values: parseGatewayArgs(argv) };
}

/** The config file's, or the embedded demo; `--port`/`--host` override `gateway.port/host`. */
export async function configFrom(options: {
  config?: string;
  port?: number;
  host?: string;
}): Promise<LoadedConfig> {
  const loaded = options.config ? await loadConfigFile(options.config) : demoConfig();
  return withOverrides(loaded, options);
}

/** Applies `--port`/`--host` to a loaded config (in place) and returns it. */
export function withOverrides(
  loaded: LoadedConfig,
  options: { port?: number; host?: string },
): LoadedConfig {
  if (options.port !== undefined) loaded.gateway.port = options.port;
  if (options.host !== undefined) loaded.gateway.host = options.host;
  return loaded;
}

/**
 * Opens the JSONL event log the config asks for (`event_emission`, on by default, path relative
 * to the config file) and attaches it to the gateway's bus. Resolves to its path and a close
 * that drains the bus first; to undefined when emission is off.
 */
export async function openEventLog(
  gateway: Gateway,
  forward?: (log: EventLog) => (stored: StoredEvent) => void,
): Promise<{ path: string; close: () => Promise<void> } | undefined> {
  const { eventEmission: emission } = gateway.config;
  if (!emission.enabled) return undefined;
  const { path } = emission;
  await mkdir(dirname(path), { recursive: true });
  // Pins, held tools, scores and quarantines are the fold of the log so far (RFC 0017): a
  // restart goes on from them.
  if (await exists(path)) gateway.trust.seed((await replayLogs(await listLogFiles(path))).trust);
  const log: EventLog = await createEventLog({
    path,
    durability: emission.durability,
    flushIntervalMs: emission.flushIntervalMs,
    rotateMaxBytes: emission.rotateMaxBytes,
    rotateMaxAgeMs: emission.rotateMaxAgeMs,
    clock: gateway.clock,
  });
  // Successful calls reach the file only as periodic call_summary events (RFC 0009).
  // With replicas (RFC 0018), each stored event also goes to the NATS stream.
  const forwarded = forward?.(log);
  const file = createFileSink(log, {
    onAppended: forwarded
      ? (stored) => {
          gateway.metrics.observeAppended(stored);
          forwarded(stored);
        }
      : (stored) => gateway.metrics.observeAppended(stored),
  });
  gateway.bus.attach(
    createCallSummarySink({
      inner: file,
      clock: gateway.clock,
      events: gateway.events,
    }),
  );
  return {
    path,
    close: async () => {
      await gateway.bus.close();
      await log.close();
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts the config's alerts (RFC 0015) on the gateway's bus, with the deliveries the log at
 * `logPath` still owes; undefined when the config has none. Call it after the log is open and
 * before the gateway starts.
 */
export async function openAlerts(
  gateway: Gateway,
  logPath: string | undefined,
  fleet?: FleetAlerts,
): Promise<AlertService | undefined> {
  const settings = gateway.config.alerts;
  if (!settings) return undefined;
  return startAlerts({
    settings,
    bus: gateway.bus,
    events: gateway.events,
    clock: gateway.clock,
    logPath,
    cwd: gateway.config.baseDir,
    ...(fleet && { fleet }),
  });
}
