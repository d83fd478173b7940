import { describe, expect, it } from 'vitest';
import { diffConfigs } from './configDiff.js';
import { resolveConfig } from './loadConfig.js';

const load = (document: Record<string, unknown>) => resolveConfig(document, 'c.json', '/srv');
const echo = (args: string[] = []) => ({ command: 'node', args: ['echo.js', ...args] });

describe('diffConfigs', () => {
  it('names added, removed, changed and unchanged servers', () => {
    const diff = diffConfigs(
      load({ mcpServers: { a: echo(), b: echo(), gone: echo() } }),
      load({ mcpServers: { a: echo(), b: echo(['--v2']), fresh: echo() } }),
    );
    expect(diff).toMatchObject({
      added: ['fresh'],
      removed: ['gone'],
      changed: ['b'],
      unchanged: ['a'],
      restartRequired: [],
      namingChanged: false,
    });
  });

  it('counts a global section a server inherits as a change of that server', () => {
    const diff = diffConfigs(
      load({ mcpServers: { a: echo(), b: { ...echo(), recovery: { max_attempts: 1 } } } }),
      load({
        mcpServers: { a: echo(), b: { ...echo(), recovery: { max_attempts: 1 } } },
        recovery: { max_attempts: 2 },
      }),
    );
    expect(diff.changed).toEqual(['a']);
    expect(diff.unchanged).toEqual(['b']);
  });

  it('sees no change in a reformatted file with the same meaning', () => {
    const diff = diffConfigs(
      load({ mcpServers: { a: { ...echo(), args: ['echo.js'], env: {} } } }),
      load({ mcpServers: { a: { command: 'node', args: ['echo.js'] } } }),
    );
    expect(diff.unchanged).toEqual(['a']);
  });

  it('lists the settings that need a restart, and a naming change', () => {
    const diff = diffConfigs(
      load({ mcpServers: {} }),
      load({
        mcpServers: {},
        gateway: { port: 4800, separator: '.' },
        event_emission: { path: 'other.jsonl' },
      }),
    );
    expect(diff.restartRequired).toEqual(['gateway.port', 'event_emission']);
    expect(diff.namingChanged).toBe(true);
  });
});
