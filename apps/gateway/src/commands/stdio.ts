import { createGateway } from '../gateway.js';
import { type CliIO, ExitCode, parseCommand, untilStopped } from '../io.js';
import { serveStdio } from '../stdioServer.js';
import { watchConfig } from './configReloader.js';
import { configFrom, openAlerts, openEventLog, parseGatewayCommand } from './gatewayCommon.js';
import { openOperatorControl } from './operatorHandler.js';
import { reportUpstreams } from './upstreamReport.js';

export const stdioUsage = `usage: selfheal stdio [--config FILE] [--control PATH]

Serves the gateway over stdio for desktop MCP clients: JSON-RPC on stdin/stdout, every log line
on stderr. Without --config, the embedded demo. Ends when stdin closes. With --config, saving
FILE or sending SIGHUP reloads it (only changed servers restart; an invalid file is refused).

An operator reaches the gateway's monitor over its control socket, as with \`selfheal monitor\`:
\`selfheal monitor reset|disable|enable|status NAME --control PATH\` (or --config FILE). The
socket is .selfheal/<name of FILE>.sock beside FILE (the demo: a new folder under the OS temp
dir), or --control PATH; its path is on stderr, and it is removed on exit. A gateway or monitor
already answering there stops this one at start-up (exit 1): use --control.
`;

/** `selfheal stdio`: exit 0 when the client hangs up, 1 on a start-up error, 2 on bad usage. */
export async function runStdio(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('stdio', stdioUsage, argv, io, parseGatewayCommand, {
    helpTo: 'stderr',
  });
  if (typeof parsed === 'number') return parsed;
  const args = parsed.values;
  let config: Awaited<ReturnType<typeof configFrom>>;
  try {
    config = await configFrom(args);
  } catch (error) {
    io.stderr(`selfheal stdio: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
  const stopped = untilStopped(io);
  const gateway = createGateway({ config });
  let started = false;
  const control = await openOperatorControl('stdio', gateway, args, () => started, io);
  if (!control) return ExitCode.Invalid;
  // stdout carries the protocol: every human line goes to stderr.
  io.stderr(`selfheal stdio: control socket ${control.path} (${control.command('status')})\n`);
  reportUpstreams(gateway, io.stderr, control.command);
  let eventLog: Awaited<ReturnType<typeof openEventLog>> | undefined;
  let alerts: Awaited<ReturnType<typeof openAlerts>> | undefined;
  try {
    eventLog = await openEventLog(gateway);
    alerts = await openAlerts(gateway, eventLog?.path);
    await gateway.start();
    started = true;
  } catch (error) {
    io.stderr(`selfheal stdio: ${(error as Error).message}\n`);
    alerts?.stop();
    await control.close();
    await gateway.stop('start-up failed');
    await eventLog?.close();
    return ExitCode.Invalid;
  }
  // stdout carries the protocol: reload reports go to stderr too.
  const reloader =
    args.config === undefined
      ? undefined
      : watchConfig({
          gateway,
          file: args.config,
          overrides: args,
          stdout: io.stderr,
          stderr: io.stderr,
        });
  const reason = await Promise.race([serveStdio(gateway).then(() => 'stdin closed'), stopped]);
  reloader?.close();
  alerts?.stop();
  await control.close();
  await gateway.stop(reason);
  await eventLog?.close();
  return ExitCode.Ok;
}
