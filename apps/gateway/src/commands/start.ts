import type { FleetAlerts } from '../alerts/alertService.js';
import type { LoadedConfig } from '../config/loadConfig.js';
import { type EmbeddedDemo, startEmbeddedDemo } from '../demo/embeddedDemo.js';
import { GatewayError } from '../errors.js';
import { isFleetShared } from '../gateway/context.js';
import { createGateway, type Gateway } from '../gateway.js';
import { type BindFacts, describeAuth, refuseBind } from '../http/bindPolicy.js';
import { createHttpServer } from '../http/httpServer.js';
import { loadTokens } from '../http/security.js';
import { type CliIO, ExitCode, parseCommand, untilStopped } from '../io.js';
import { createCallLog } from '../observability/callLog.js';
import { createCallSpans } from '../observability/callSpans.js';
import { watchConfig } from './configReloader.js';
import {
  configFrom,
  openAlerts,
  openEventLog,
  type parseGatewayArgs,
  parseGatewayCommand,
  withOverrides,
} from './gatewayCommon.js';
import { createOperatorHandler, openOperatorControl } from './operatorHandler.js';
import { openReplicaLink, type ReplicaLink, replicaSettings } from './replicaLink.js';
import { reportUpstreams } from './upstreamReport.js';

export const startUsage = `usage: selfheal start [--config FILE] [--port N] [--host H] [--control PATH]
                     [--call-log info|warn|off] [--allow-unauthenticated]

Runs the gateway: one MCP endpoint (Streamable HTTP at /mcp) over every server in the config,
plus /health and /metrics. Listens on 127.0.0.1:4700 unless the config or flags say otherwise;
--port 0 picks a free port. A host other than loopback (0.0.0.0, a LAN address) needs a
token (gateway.auth.token_env or token_file); without one the start is refused (exit 2) unless
--allow-unauthenticated says the open bind is meant. Without --config, runs an embedded demo: servers from npm plus,
in a repository checkout, the example servers of examples/ (one over HTTP, a slow one and one
that crashes every 20 s). Stops on SIGINT or SIGTERM. If stdout or stderr is closed early
(\`selfheal start | head -1\`), it stops writing there and keeps serving.

With --config, saving FILE or sending SIGHUP reloads it: only servers whose entry changed are
restarted, added ones started, removed ones stopped; an invalid file is refused (stderr) and the
running config kept.

An operator reaches the gateway's monitor over its control socket, as with \`selfheal monitor\`:
\`selfheal monitor reset|disable|enable|status NAME --control PATH\` (a server whose recovery
stopped waits for \`reset\`). The socket is .selfheal/<name of FILE>.sock beside FILE
(\`--config FILE\` finds it too; the demo: a new folder under the OS temp dir), or --control PATH;
it is removed on stop. A gateway or monitor already answering there stops this one at start-up
(exit 1): use --control. Two configs in one folder each get their own socket.
`;

/** `selfheal start`: exit 0 after a clean stop, 1 on a start-up error, 2 on bad usage or config. */
export async function runStart(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('start', startUsage, argv, io, parseGatewayCommand);
  if (typeof parsed === 'number') return parsed;
  const args = parsed.values;
  let config: Awaited<ReturnType<typeof configFrom>>;
  let tokens: string[];
  // Listen for SIGINT/SIGTERM before starting anything: a signal sent meanwhile must stop us.
  const stopped = untilStopped(io);
  let demo: EmbeddedDemo | undefined;
  try {
    if (args.config === undefined) {
      demo = await startEmbeddedDemo();
      config = withOverrides(demo.config, args);
    } else config = await configFrom(args);
    tokens = await loadTokens(config.gateway.auth);
    const refused = refuseBind(bindFacts(config, tokens, args));
    if (refused !== undefined) throw new Error(refused);
  } catch (error) {
    io.stderr(`selfheal start: ${(error as Error).message}\n`);
    await demo?.stop();
    return ExitCode.Unusable;
  }
  try {
    return await serve({ args, config, tokens, io, demo, stopped });
  } finally {
    await demo?.stop();
  }
}

async function serve(run: {
  args: ReturnType<typeof parseGatewayArgs>;
  config: LoadedConfig;
  tokens: string[];
  io: CliIO;
  demo: EmbeddedDemo | undefined;
  stopped: Promise<string>;
}): Promise<number> {
  const { args, config, tokens, io, demo, stopped } = run;
  // Replicas on NATS JetStream (RFC 0018), only when the config asks: the client loads then.
  let replicas: ReplicaLink | undefined;
  try {
    const settings = replicaSettings(config);
    if (settings) replicas = await openReplicaLink(settings, io.stderr);
  } catch (error) {
    io.stderr(`selfheal start: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
  const gateway = createGateway({ config, ...(replicas && { fleet: replicas.fleet }) });
  // The control socket first: a second gateway on the same config stops here, before it
  // appends to the same event log or starts a process.
  let started = false;
  const control = await openOperatorControl('start', gateway, args, () => started, io);
  if (!control) {
    await replicas?.close(0);
    return ExitCode.Invalid;
  }
  let eventLog: Awaited<ReturnType<typeof openEventLog>>;
  try {
    eventLog = await openEventLog(gateway, replicas?.forwardFrom);
  } catch (error) {
    io.stderr(`selfheal start: cannot open the event log: ${(error as Error).message}\n`);
    await control.close();
    await gateway.stop();
    await replicas?.close(0);
    return ExitCode.Unusable;
  }
  let alerts: Awaited<ReturnType<typeof openAlerts>>;
  try {
    alerts = await openAlerts(gateway, eventLog?.path, replicas && fleetAlerts(replicas, gateway));
  } catch (error) {
    io.stderr(
      `selfheal start: cannot read the event log for alerts: ${(error as Error).message}\n`,
    );
    await control.close();
    await gateway.stop();
    await eventLog?.close();
    await replicas?.close(0);
    return ExitCode.Unusable;
  }
  // One JSON line per call on stderr (--call-log: info every call, warn failures, off).
  const stopCallLog = createCallLog({
    events$: gateway.bus.events$,
    write: io.stderr,
    level: args.callLog,
  });
  // A span per call once the user registers an OpenTelemetry SDK; a no-op until then.
  createCallSpans({ events$: gateway.bus.events$ });
  const http = createHttpServer({
    gateway,
    tokens,
    onError: (error) => io.stderr(`selfheal: request failed: ${String(error)}\n`),
    log: io.stderr,
    eventLogPath: eventLog?.path,
    fleetEvents: replicas && (() => replicas.streamEvents()),
    operator: createOperatorHandler(gateway, () => started),
  });
  try {
    const { url } = await http.listen();
    io.stdout(
      `selfheal gateway ${config.source === '<embedded demo>' ? '(embedded demo) ' : ''}listening on ${url}\n` +
        `  health  ${url.replace(/\/mcp$/, '/health')}\n` +
        `  page    ${url.replace(/\/mcp$/, '/')}${tokens.length > 0 ? '?token=<token>' : ''}\n` +
        `  auth    ${describeAuth(bindFacts(config, tokens, args))}\n` +
        `  events  ${eventLog?.path ?? 'off (event_emission.enabled: false)'}\n` +
        (replicas
          ? `  replica ${replicas.settings.replica} (NATS stream ${replicas.settings.stream} at ${replicas.settings.servers.join(', ')})\n`
          : '') +
        `  control ${control.path} (operator: ${control.command('status')})\n` +
        (alerts
          ? `  alerts  ${alerts.engine.ledger.open.size} open, ${alerts.restored} deliveries owed from the log\n`
          : '') +
        (demo?.notes.map((note) => `  ${note}\n`).join('') ?? ''),
    );
    reportUpstreams(gateway, io.stdout, control.command);
    // The fleet's state so far is folded before this replica's monitor starts.
    await replicas?.start(gateway);
    await gateway.start();
    started = true;
    const up = gateway.upstreams.filter((u) => u.state.status === 'up').length;
    io.stdout(`ready: ${up} of ${gateway.upstreams.length} servers up\n`);
  } catch (error) {
    io.stderr(`selfheal start: ${error instanceof GatewayError ? error.message : String(error)}\n`);
    alerts?.stop();
    await control.close();
    await http.close();
    await gateway.stop('start-up failed');
    await eventLog?.close();
    await replicas?.close(0);
    return ExitCode.Invalid;
  }
  // The embedded demo has no file to watch.
  const reloader =
    args.config === undefined
      ? undefined
      : watchConfig({
          gateway,
          file: args.config,
          overrides: args,
          stdout: io.stdout,
          stderr: io.stderr,
        });
  const reason = await stopped;
  reloader?.close();
  io.stdout('stopping\n');
  // Before the servers stop: their stopping is not an outage to alert on.
  alerts?.stop();
  await control.close();
  await http.close();
  await gateway.stop(reason);
  stopCallLog();
  await eventLog?.close();
  await replicas?.close();
  return ExitCode.Ok;
}

function bindFacts(
  config: LoadedConfig,
  tokens: string[],
  args: ReturnType<typeof parseGatewayArgs>,
): BindFacts {
  return {
    host: config.gateway.host,
    tokens: tokens.length,
    allowUnauthenticated: args['allow-unauthenticated'],
  };
}

/**
 * A replica's share of the fleet's alerts (RFC 0018): remote servers are shared (their alerts
 * follow the probe lease), stdio servers are this replica's own. Read from the config in force,
 * so a reload that changes a server's transport moves its alerts with it.
 */
function fleetAlerts(replicas: ReplicaLink, gateway: Gateway): FleetAlerts {
  return {
    replica: replicas.settings.replica,
    isShared: (server) => {
      const spec = gateway.config.upstreams.find((u) => u.name === server);
      return spec !== undefined && isFleetShared(spec);
    },
    holdsLease: replicas.holdsLease,
    onLease: replicas.onLease,
    others$: replicas.others$,
    streamed: replicas.streamed,
  };
}
