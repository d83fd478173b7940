import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadedConfig, resolveConfig } from './loadConfig.js';

const require = createRequire(import.meta.url);

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
        },
        memory: {
          command: node,
          args: [require.resolve('@modelcontextprotocol/server-memory/dist/index.js')],
          env: { MEMORY_FILE_PATH: join(tmpdir(), 'selfheal-demo-memory.jsonl') },
        },
      },
      event_emission: { path: '.selfheal/demo-events.jsonl' },
    },
    '<embedded demo>',
  );
}
