import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadedConfig, resolveConfig } from './loadConfig.js';

const require = createRequire(import.meta.url);

/**
 * Where the embedded demo's stdio servers start: the OS temp folder, not the working folder.
 * The demo is most often run from a repository checkout, a pnpm workspace, where `npx` and
 * friends resolve packages against the workspace instead of the registry; the demo's servers
 * need no file of the working folder (their paths are absolute).
 */
export const DEMO_SERVER_CWD = tmpdir();

/**
 * The embedded demo used by `selfheal start` without `--config`: real MCP servers from npm,
 * started from this package's own dependencies (no download at run time), over stdio. Events go
 * to `.selfheal/demo-events.jsonl` in the working folder.
 */
export function demoConfig(): LoadedConfig {
  const node = process.execPath;
  return resolveConfig(
    {
      mcpServers: {
        everything: {
          command: node,
          args: [require.resolve('@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'],
          cwd: DEMO_SERVER_CWD,
        },
        memory: {
          command: node,
          args: [require.resolve('@modelcontextprotocol/server-memory/dist/index.js')],
          env: { MEMORY_FILE_PATH: join(tmpdir(), 'selfheal-demo-memory.jsonl') },
          cwd: DEMO_SERVER_CWD,
        },
      },
      event_emission: { path: '.selfheal/demo-events.jsonl' },
    },
    '<embedded demo>',
  );
}
