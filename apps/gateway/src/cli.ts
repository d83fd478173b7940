import { runAlerts } from './commands/alerts.js';
import { runApprove } from './commands/approve.js';
import { runCheck } from './commands/check.js';
import { runInit } from './commands/init.js';
import { runMonitor } from './commands/monitor.js';
import { runReplay } from './commands/replay.js';
import { runStart } from './commands/start.js';
import { runStdio } from './commands/stdio.js';
import { runValidate } from './commands/validate.js';
import { type CliIO, ExitCode, processIO } from './io.js';
import { GATEWAY_VERSION } from './version.js';

type Command = (argv: string[], io: CliIO) => Promise<number>;

const commands: Record<string, { run: Command; summary: string }> = {
  approve: {
    run: runApprove,
    summary: 'approve a changed tool (SERVER TOOL) or release a quarantined server (SERVER)',
  },
  alerts: { run: runAlerts, summary: 'alerts test [--sink NAME]: send a test alert to the sinks' },
  check: { run: runCheck, summary: 'check a health endpoint against the W3 contract (for CI)' },
  init: {
    run: runInit,
    summary: 'write a config from Claude Desktop, Cursor or VS Code servers',
  },
  monitor: {
    run: runMonitor,
    summary: 'watch and heal the servers of a config; reset|disable|enable NAME',
  },
  replay: { run: runReplay, summary: 'fold event logs into server state and an SLA report' },
  start: { run: runStart, summary: 'run the gateway (default port 4700)' },
  stdio: { run: runStdio, summary: 'serve the gateway over stdio, for desktop MCP clients' },
  validate: { run: runValidate, summary: 'validate a document against a schema in schemas/' },
};

const usage = `usage: selfheal <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, { summary }]) => `  ${name.padEnd(10)} ${summary}`)
  .join('\n')}

Options:
  -h, --help     this text; \`selfheal help <command>\` or \`selfheal <command> --help\`: the
                 command's options
  -v, --version  the version of selfheal
`;

/**
 * Runs the `selfheal` CLI with `argv` (without node and script) and resolves to the exit code.
 * Never throws for bad input: usage errors exit 2 with a message on `io.stderr`.
 */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`${GATEWAY_VERSION}\n`);
    return ExitCode.Ok;
  }
  if (name === 'help' && rest[0] !== undefined) return commandHelp(rest[0], io);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout)(usage);
    return name === undefined ? ExitCode.Unusable : ExitCode.Ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`selfheal: unknown command "${name}"\n\n${usage}`);
    return ExitCode.Unusable;
  }
  // Help wins over every other option, even one the command would refuse.
  if (rest.includes('--help') || rest.includes('-h')) return commandHelp(name, io);
  return command.run(rest, io);
}

/** `selfheal help NAME`: the command's own usage (exit 0), or the list for an unknown one. */
function commandHelp(name: string, io: CliIO): Promise<number> | number {
  const command = commands[name];
  if (!command) {
    io.stderr(`selfheal: unknown command "${name}"\n\n${usage}`);
    return ExitCode.Unusable;
  }
  return command.run(['--help'], io);
}
