import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { validate } from '@selfheal/schemas';
import {
  clientConfigPaths,
  type DesktopClient,
  gatewayEntry,
  importServers,
} from '../config/desktopClients.js';
import { type CliIO, ExitCode, parseCommand } from '../io.js';

export const initUsage = `usage: selfheal init [--from claude|cursor|vscode|FILE] [--out FILE] [--force]

Writes a Selfheal config from the MCP servers a desktop client already has, and prints the one
entry that points the client at \`selfheal stdio\` instead (the gateway then runs every server,
watches and heals them). The client's own config is read, never changed.

Where it looks (the first file that exists):
  claude   Claude Desktop: ~/.config/Claude/claude_desktop_config.json (macOS: ~/Library/
           Application Support/Claude/, Windows: %APPDATA%\\Claude\\)
  cursor   .cursor/mcp.json here, then ~/.cursor/mcp.json
  vscode   .vscode/mcp.json here, then the user's Code/User/mcp.json ("servers" with "type")
Without --from, each client in that order.

Options:
  --from C|FILE  the client (claude, cursor, vscode) or a config file of either shape
  --out FILE     the config to write (default: ./selfheal.json)
  --force        overwrite FILE if it exists
Exit: 0 written, 1 nothing to import or the result is not a valid config, 2 bad usage or an
unreadable client config.
`;

const CLIENTS: DesktopClient[] = ['claude', 'cursor', 'vscode'];

/** `selfheal init`: exit 0 written, 1 nothing to import or invalid, 2 bad usage or unreadable. */
export async function runInit(argv: string[], io: CliIO): Promise<number> {
  const parsed = parseCommand('init', initUsage, argv, io, parse);
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const cwd = process.cwd();
  const found = findSource(values.from, cwd);
  if (typeof found === 'string') {
    io.stderr(`selfheal init: ${found}\n`);
    return ExitCode.Unusable;
  }
  const out = resolve(cwd, values.out ?? 'selfheal.json');
  if (existsSync(out) && !values.force) {
    io.stderr(
      `selfheal init: ${out} exists; give another --out FILE, or --force to overwrite it\n`,
    );
    return ExitCode.Unusable;
  }
  let imported: ReturnType<typeof importServers>;
  try {
    const text = await readFile(found.path, 'utf8');
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (error) {
      throw new Error(`${found.path}: not JSON (${(error as Error).message})`);
    }
    imported = importServers(document, found.path);
  } catch (error) {
    io.stderr(`selfheal init: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
  const names = Object.keys(imported.mcpServers);
  for (const { name, why } of imported.skipped)
    io.stderr(`selfheal init: left out server "${name}": ${why}\n`);
  if (names.length === 0) {
    io.stderr(`selfheal init: ${found.path} has no server to import\n`);
    return ExitCode.Invalid;
  }
  const config = { mcpServers: imported.mcpServers };
  const issues = validate('config', config).issues;
  if (issues.length > 0) {
    io.stderr(
      `selfheal init: the servers of ${found.path} do not make a valid Selfheal config:\n${issues
        .map((i) => `  ${i.pointer || '/'}: ${i.message}`)
        .join(
          '\n',
        )}\nfix them in ${found.path} (or write the config by hand), then run init again\n`,
    );
    return ExitCode.Invalid;
  }
  // Owner-only: the servers' env often holds API keys. `wx` refuses a file that appeared since
  // the check above, unless --force.
  try {
    await writeFile(out, `${JSON.stringify(config, null, 2)}\n`, {
      mode: 0o600,
      flag: values.force ? 'w' : 'wx',
    });
  } catch (error) {
    io.stderr(`selfheal init: cannot write ${out}: ${(error as Error).message}\n`);
    return ExitCode.Unusable;
  }
  for (const warning of imported.warnings) io.stderr(`selfheal init: warning: ${warning}\n`);
  const entry = JSON.stringify(gatewayEntry(found.client, out), null, 2);
  io.stdout(
    `Wrote ${out}: ${names.length} server${names.length === 1 ? '' : 's'} (${names.join(', ')}) from ${found.path}.\n\n` +
      `Point ${found.label} at the gateway: in ${found.path}, replace ${found.client === 'vscode' ? '"servers"' : '"mcpServers"'} with this one entry, then restart the client:\n\n${entry}\n`,
  );
  return ExitCode.Ok;
}

interface Source {
  path: string;
  client: DesktopClient | 'other';
  label: string;
}

const LABELS: Record<DesktopClient, string> = {
  claude: 'Claude Desktop',
  cursor: 'Cursor',
  vscode: 'VS Code',
};

/** The client config to read, or why there is none. */
function findSource(from: string | undefined, cwd: string): Source | string {
  if (from !== undefined && !CLIENTS.includes(from as DesktopClient)) {
    const path = resolve(cwd, from);
    if (!existsSync(path)) return `--from ${from}: no such file (or give claude, cursor or vscode)`;
    const client = /[/\\]\.vscode[/\\]|[/\\]Code[/\\]User[/\\]/.test(path) ? 'vscode' : 'other';
    return { path, client, label: client === 'vscode' ? 'VS Code' : 'the client' };
  }
  const clients = from === undefined ? CLIENTS : [from as DesktopClient];
  const tried: string[] = [];
  for (const client of clients) {
    for (const path of clientConfigPaths(client, cwd)) {
      if (existsSync(path)) return { path, client, label: LABELS[client] };
      tried.push(path);
    }
  }
  return `no desktop client config found; looked at:\n${tried.map((p) => `  ${p}`).join('\n')}\ngive one with --from FILE`;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      from: { type: 'string' },
      out: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
