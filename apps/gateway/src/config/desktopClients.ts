import { homedir } from 'node:os';
import { join } from 'node:path';

/** The desktop MCP clients whose config `selfheal init` reads. */
export type DesktopClient = 'claude' | 'cursor' | 'vscode';

/** Where a client keeps its MCP servers, in the order `selfheal init` looks. */
export function clientConfigPaths(
  client: DesktopClient,
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const home = env.HOME ?? homedir();
  const appData = env.APPDATA ?? join(home, 'AppData', 'Roaming');
  const userConfig =
    platform === 'darwin'
      ? join(home, 'Library', 'Application Support')
      : platform === 'win32'
        ? appData
        : (env.XDG_CONFIG_HOME ?? join(home, '.config'));
  switch (client) {
    case 'claude':
      return [join(userConfig, 'Claude', 'claude_desktop_config.json')];
    case 'cursor':
      return [join(cwd, '.cursor', 'mcp.json'), join(home, '.cursor', 'mcp.json')];
    case 'vscode':
      return [join(cwd, '.vscode', 'mcp.json'), join(userConfig, 'Code', 'User', 'mcp.json')];
  }
}

/** What `selfheal init` made of a client's config. */
export interface ImportedServers {
  /** The `mcpServers` of the Selfheal config, in the client's order. */
  mcpServers: Record<string, Record<string, unknown>>;
  /** Entries left out, each with why (the entry that is Selfheal itself, a broken one). */
  skipped: { name: string; why: string }[];
  /** Things to look at: `${input:...}` variables Selfheal cannot prompt for, `envFile`. */
  warnings: string[];
}

/**
 * Reads the MCP servers out of a desktop client's config document: `mcpServers` (Claude
 * Desktop, Cursor) or `servers` with `type` (VS Code's `mcp.json`; `stdio` becomes a plain
 * `command` entry, `http` and `sse` stay). An entry that already runs `selfheal stdio` is
 * skipped. Throws an Error naming `source` and the JSON pointer when the document has neither
 * key, or an entry is not an object.
 */
export function importServers(document: unknown, source: string): ImportedServers {
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new Error(`${source}: expected a JSON object with "mcpServers" or "servers"`);
  const doc = document as Record<string, unknown>;
  const key =
    doc.mcpServers !== undefined ? 'mcpServers' : doc.servers !== undefined ? 'servers' : undefined;
  if (key === undefined)
    throw new Error(
      `${source}: no MCP servers found: expected "mcpServers" (Claude Desktop, Cursor) or "servers" (VS Code) at the top level`,
    );
  const entries = doc[key];
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries))
    throw new Error(`${source}: /${key} must be an object of servers by name`);
  const out: ImportedServers = { mcpServers: {}, skipped: [], warnings: [] };
  for (const [name, value] of Object.entries(entries as Record<string, unknown>)) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new Error(`${source}: /${key}/${name} must be an object (command and args, or url)`);
    const entry = { ...(value as Record<string, unknown>) };
    if (runsSelfheal(entry)) {
      out.skipped.push({ name, why: 'it runs selfheal itself' });
      continue;
    }
    if (entry.type === 'stdio') delete entry.type;
    if (typeof entry.command !== 'string' && typeof entry.url !== 'string') {
      out.skipped.push({ name, why: 'it has neither "command" nor "url"' });
      continue;
    }
    if (JSON.stringify(entry).includes('${input:'))
      out.warnings.push(
        `server "${name}" uses \${input:...} variables, which only VS Code can prompt for: put the values in its env (or headers) in the new config`,
      );
    if (entry.envFile !== undefined)
      out.warnings.push(
        `server "${name}" reads an envFile, which Selfheal does not: copy the variables into its "env"`,
      );
    out.mcpServers[name] = entry;
  }
  return out;
}

function runsSelfheal(entry: Record<string, unknown>): boolean {
  const words = [entry.command, ...(Array.isArray(entry.args) ? entry.args : [])].map(String);
  return (
    words.includes('stdio') &&
    words.some((w) => /(^|[/\\])selfheal(\.js)?$/.test(w) || w === '@selfheal/gateway')
  );
}

/**
 * The one entry that points a client at the gateway over stdio: `mcpServers` shape for Claude
 * Desktop and Cursor, `servers` with `type: "stdio"` for VS Code. `configPath` should be absolute.
 */
export function gatewayEntry(client: DesktopClient | 'other', configPath: string): object {
  const server = {
    command: 'npx',
    args: ['-y', '@selfheal/gateway', 'stdio', '--config', configPath],
  };
  return client === 'vscode'
    ? { servers: { selfheal: { type: 'stdio', ...server } } }
    : { mcpServers: { selfheal: server } };
}
