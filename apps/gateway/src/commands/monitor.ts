import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createEventBus,
  createEventFactory,
  createEventLog,
  createFileSink,
} from '@selfheal/events';
import { systemClock } from '@selfheal/internal';
import {
  CONTROL_ACTIONS,
  type ControlAction,
  type ControlServer,
  createMonitor,
  createMonitorStore,
  createNodeSpawner,
  listenControl,
  sendControl,
} from '@selfheal/monitor';
import type { SelfhealEvent } from '@selfheal/schemas';
import { type AlertService, startAlerts } from '../alerts/alertService.js';
import { type LoadedConfig, loadConfigFile } from '../config/loadConfig.js';
import { type CliIO, ExitCode, parseCommand } from '../io.js';
import { controlPathFor } from './controlSocket.js';

export const monitorUsage = `usage: selfheal monitor --config FILE [--log PATH] [--control PATH] [--json]
       selfheal monitor reset|disable|enable NAME [--config FILE | --control PATH]
       selfheal monitor status [NAME] [--config FILE | --control PATH]

Runs the monitor and auto-recovery alone: starts the stdio servers of FILE, checks every server,
restarts the ones that fail, and appends every event to the JSONL log (event_emission.path,
relative to FILE; --log overrides). Prints state changes (--json: every event as JSONL).
SIGINT or SIGTERM stops every server and exits 0.

An operator talks to a running monitor over its control socket (default
.selfheal/<name of FILE>.sock beside FILE). The same verbs reach a running gateway (\`selfheal start\`
or \`selfheal stdio\`, whose monitor runs in-process): its socket is the same default beside
its config, or the path its start-up lines print (\`control\`).
  reset NAME     clear requires_manual and the attempt counter, try again (server_reset)
  disable NAME   stop the server, its checks and recovery (server_disabled)
  enable NAME    watch and start it again (server_enabled)
  status [NAME]  print the projected state
The events name who asked: --operator NAME (default $USER), and always this command's uid and
pid (operator_uid, operator_pid). Only the socket's owner and root can reach it.
Exit: 0 ok, 1 the monitor refused the request, 2 bad usage, bad config or no monitor running.
`;

/** Options for tests: stop the monitor with `signal` instead of SIGINT/SIGTERM. */
export interface MonitorRunOptions {
  signal?: AbortSignal;
}

/** How long events gather before one write to the log (not under `per_event`), ms. */
const FILE_BATCH_WINDOW_MS = 50;

const PRINTED = new Set([
  'server_started',
  'server_down',
  'server_degraded',
  'server_recovered',
  'recovery_started',
  'recovery_successful',
  'recovery_failed',
  'recovery_exhausted',
  'server_disabled',
  'server_enabled',
  'server_reset',
  'sink_failed',
  'alert_fired',
  'alert_resolved',
  'alert_delivery_failed',
]);

/** `selfheal monitor`: run the monitor, or send an operator request to a running one. */
export async function runMonitor(
  argv: string[],
  io: CliIO,
  options: MonitorRunOptions = {},
): Promise<number> {
  const parsed = parseCommand('monitor', monitorUsage, argv, io, parse);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [verb, ...rest] = positionals;
  if (verb !== undefined) return runVerb(verb, rest, values, io);
  if (!values.config) {
    io.stderr(`selfheal monitor: expected --config FILE\n\n${monitorUsage}`);
    return ExitCode.Unusable;
  }
  return runDaemon(values.config, values, io, options.signal);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      log: { type: 'string' },
      control: { type: 'string' },
      operator: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

type Values = ReturnType<typeof parse>['values'];

function controlPath(values: Values): string | undefined {
  return controlPathFor({ control: values.control, configFile: values.config });
}

async function runVerb(verb: string, rest: string[], values: Values, io: CliIO): Promise<number> {
  if (!CONTROL_ACTIONS.includes(verb as ControlAction)) {
    io.stderr(
      `selfheal monitor: unknown action "${verb}": expected one of ${CONTROL_ACTIONS.join(', ')}\n\n${monitorUsage}`,
    );
    return ExitCode.Unusable;
  }
  const action = verb as ControlAction;
  const server = rest[0];
  if ((action !== 'status' && !server) || rest.length > 1) {
    io.stderr(`selfheal monitor ${action}: expected one server NAME\n\n${monitorUsage}`);
    return ExitCode.Unusable;
  }
  const path = controlPath(values);
  if (!path) {
    io.stderr(`selfheal monitor ${action}: expected --config FILE or --control PATH\n`);
    return ExitCode.Unusable;
  }
  try {
    const reply = await sendControl(path, {
      action,
      ...(server !== undefined && { server }),
      // Without a name, the monitor names the caller by the uid and pid sendControl adds.
      ...((values.operator ?? process.env.USER) && {
        operator: (values.operator ?? process.env.USER) as string,
      }),
    });
    if (!reply.ok) {
      io.stderr(`selfheal monitor ${action}: ${reply.error}\n`);
      return ExitCode.Invalid;
    }
    io.stdout(
      values.json
        ? `${JSON.stringify(reply.state)}\n`
        : `${action === 'status' ? '' : `${action} ${server}: done\n`}${describeState(reply.state)}`,
    );
    return ExitCode.Ok;
  } catch (error) {
    io.stderr(`selfheal monitor ${action}: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
}

function describeState(state: unknown): string {
  const servers = (state ?? {}) as Record<string, Record<string, unknown>>;
  return Object.values(servers)
    .map(
      (s) =>
        `  ${String(s.server_name).padEnd(20)} ${String(s.status).padEnd(8)} ${String(s.lifecycle).padEnd(10)} attempts ${s.recovery_attempts}${s.requires_manual ? ' (requires manual)' : ''}${s.error ? `  ${s.error}` : ''}\n`,
    )
    .join('');
}

async function runDaemon(
  file: string,
  values: Values,
  io: CliIO,
  signal: AbortSignal | undefined,
): Promise<number> {
  let loaded: LoadedConfig;
  try {
    loaded = await loadConfigFile(file);
  } catch (error) {
    io.stderr(`selfheal monitor: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
  const emission = loaded.eventEmission;
  // The monitor builds every event it emits from typed drafts; its tests check each one
  // against the event schema, so the factory does not check them again (RFC 0007).
  const factory = createEventFactory({ repo: emission.repo, validate: false });
  const bus = createEventBus({ events: factory });
  const logPath = values.log ? resolve(values.log) : emission.path;
  const log =
    !emission.enabled && !values.log
      ? undefined
      : await createEventLog({
          path: logPath,
          durability: emission.durability,
          flushIntervalMs: emission.flushIntervalMs,
          rotateMaxBytes: emission.rotateMaxBytes,
          rotateMaxAgeMs: emission.rotateMaxAgeMs,
        });
  // Events gather for up to 50 ms into one write, except when every event must be on disk
  // before it is acknowledged (RFC 0007: one write per check costs more than the check).
  const durable = emission.durability === 'per_event';
  if (log) bus.attach(createFileSink(log, { batchWindowMs: durable ? 0 : FILE_BATCH_WINDOW_MS }));
  bus.events$.subscribe((event) => print(event, values.json ?? false, io));
  const store = createMonitorStore({ publish: (e) => bus.publish(e), events: factory });
  const monitor = createMonitor({ servers: loaded.servers, store, spawner: createNodeSpawner() });

  let control: ControlServer | undefined;
  const path = controlPath(values)!;
  try {
    control = await listenControl(path, (request) => monitor.control(request));
  } catch (error) {
    io.stderr(`selfheal monitor: ${(error as Error).message}\n`);
    await bus.close();
    await log?.close();
    return ExitCode.Unusable;
  }
  // After the control socket: a second monitor on this config stops before reading the log.
  let alerts: AlertService | undefined;
  if (loaded.alerts) {
    try {
      alerts = await startAlerts({
        settings: loaded.alerts,
        bus,
        events: factory,
        clock: systemClock,
        logPath: log ? logPath : undefined,
        cwd: loaded.baseDir,
      });
    } catch (error) {
      io.stderr(
        `selfheal monitor: cannot read the event log for alerts: ${(error as Error).message}\n`,
      );
      await control.close();
      await bus.close();
      await log?.close();
      return ExitCode.Unusable;
    }
  }
  io.stderr(
    `selfheal monitor: watching ${loaded.servers.length} server(s) from ${file}; events to ${log ? logPath : '(no log)'}; control socket ${path}\n`,
  );

  const stopped = new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    signal?.addEventListener('abort', stop, { once: true });
    if (!signal) {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await monitor.start();
  await stopped;
  alerts?.stop();
  await control.close();
  await monitor.stop();
  await bus.close();
  await log?.close();
  return ExitCode.Ok;
}

function print(event: SelfhealEvent, json: boolean, io: CliIO): void {
  if (json) {
    io.stdout(`${JSON.stringify(event)}\n`);
    return;
  }
  if (!PRINTED.has(event.event_type)) return;
  const e = event as Record<string, unknown>;
  const detail =
    e.reason ?? e.error ?? e.summary ?? (e.attempt !== undefined ? `attempt ${e.attempt}` : '');
  io.stdout(
    `${event.timestamp} ${event.server_name ?? '-'} ${event.event_type}${detail ? `: ${String(detail)}` : ''}\n`,
  );
}
