import { createGateway } from '../gateway.js';
import { type CliIO, ExitCode, untilStopped } from '../io.js';
import { serveStdio } from '../stdioServer.js';
import { configFrom, openEventLog, parseGatewayArgs, reportUpstreams } from './gatewayCommon.js';

export const stdioUsage = `usage: selfheal stdio [--config FILE]

Serves the gateway over stdio for desktop MCP clients: JSON-RPC on stdin/stdout, every log line
on stderr. Without --config, the embedded demo. Ends when stdin closes.
`;

/** `selfheal stdio`: exit 0 when the client hangs up, 1 on a start-up error, 2 on bad usage. */
export async function runStdio(argv: string[], io: CliIO): Promise<number> {
  let args: ReturnType<typeof parseGatewayArgs>;
  try {
    args = parseGatewayArgs(argv);
  } catch (error) {
    io.stderr(`selfheal stdio: ${(error as Error).message}\n\n${stdioUsage}`);
    return ExitCode.Unusable;
  }
  if (args.help) {
    io.stderr(stdioUsage);
    return ExitCode.Ok;
  }
  let config: Awaited<ReturnType<typeof configFrom>>;
  try {
    config = await configFrom(args);
  } catch (error) {
    io.stderr(`selfheal stdio: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
  const stopped = untilStopped(io);
  const gateway = createGateway({ config });
  // stdout carries the protocol: every human line goes to stderr.
  reportUpstreams(gateway, io.stderr);
  let eventLog: Awaited<ReturnType<typeof openEventLog>>;
  try {
    eventLog = await openEventLog(gateway);
    await gateway.start();
  } catch (error) {
    io.stderr(`selfheal stdio: ${(error as Error).message}\n`);
    await gateway.stop();
    return ExitCode.Invalid;
  }
  await Promise.race([serveStdio(gateway), stopped]);
  await gateway.stop();
  await eventLog?.close();
  return ExitCode.Ok;
}
