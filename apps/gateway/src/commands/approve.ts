import { parseArgs } from 'node:util';
import { sendControl } from '@selfheal/monitor';
import { type CliIO, ExitCode, parseCommand } from '../io.js';
import { controlPathFor } from './controlSocket.js';

export const approveUsage = `usage: selfheal approve SERVER [TOOL] [--config FILE | --control PATH] [--operator NAME] [--json]

Tells a running gateway (selfheal start or stdio) over its control socket (default
.selfheal/<name of FILE>.sock beside FILE) that an operator approves (RFC 0017):
  SERVER TOOL   the definition SERVER now lists for TOOL, held since it changed (or since it
                appeared, where trust.require_approval asks for it): it is pinned and served
                again (tool_approved); see the diff in its tool_definition_changed event
  SERVER        ends SERVER's quarantine (server_released, its trust back to neutral) and
                approves every held tool of it
The events name who approved: --operator NAME (default $USER), and this command's uid and pid.
Exit: 0 approved, 1 the gateway refused (nothing to approve, unknown server), 2 bad usage or no
gateway running.
`;

/** `selfheal approve SERVER [TOOL]`: 0 approved, 1 refused, 2 bad usage or unreachable. */
export async function runApprove(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('approve', approveUsage, argv, io, parse);
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  const [server, tool, ...extra] = positionals;
  if (server === undefined || extra.length > 0) {
    io.stderr(`selfheal approve: expected SERVER and optionally TOOL\n\n${approveUsage}`);
    return ExitCode.Unusable;
  }
  const path = controlPathFor({ control: values.control, configFile: values.config });
  if (!path) {
    io.stderr('selfheal approve: expected --config FILE or --control PATH\n');
    return ExitCode.Unusable;
  }
  const operator = values.operator ?? process.env.USER;
  try {
    const reply = await sendControl(path, {
      action: 'approve',
      server,
      ...(tool === undefined ? {} : { tool }),
      ...(operator ? { operator } : {}),
    });
    if (!reply.ok) {
      io.stderr(`selfheal approve: ${reply.error}\n`);
      return ExitCode.Invalid;
    }
    io.stdout(
      values.json
        ? `${JSON.stringify(reply.state)}\n`
        : `approve ${server}${tool === undefined ? '' : ` ${tool}`}: done\n`,
    );
    return ExitCode.Ok;
  } catch (error) {
    io.stderr(`selfheal approve: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      control: { type: 'string' },
      operator: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
