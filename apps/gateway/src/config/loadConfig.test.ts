import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { demoConfig } from './demoConfig.js';
import { loadConfigFile } from './loadConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'selfheal-config-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

describe('loadConfigFile', () => {
  it('applies defaults and keeps enabled servers in file order', async () => {
    const file = write(
      'ok.yaml',
      'mcpServers:\n  b: {command: node, cwd: sub}\n  a: {url: "http://127.0.0.1:1/mcp", prefix: ""}\n  off: {command: x, disabled: true}\ngateway:\n  auth: {token_file: tokens.txt}\n',
    );
    const config = await loadConfigFile(file);
    expect(config.upstreams.map((u) => [u.name, u.transport, u.prefix])).toEqual([
      ['b', 'stdio', 'b'],
      ['a', 'streamable-http', ''],
    ]);
    expect(config.upstreams[0]!.config.cwd).toBe(join(dir, 'sub'));
    expect(config.gateway).toMatchObject({
      host: '127.0.0.1',
      port: 4700,
      separator: '__',
      onCollision: 'error',
      maxBodyBytes: 4194304,
      maxClientBufferBytes: 8388608,
      auth: { tokenFile: join(dir, 'tokens.txt') },
    });
  });

  it('names the file and the JSON pointer of each problem', async () => {
    const file = write(
      'bad.json',
      '{"mcpServers": {"x": {"command": "a", "url": "http://h"}}, "gateway": {"port": -1}}',
    );
    const error = await loadConfigFile(file).catch((e: GatewayError) => e);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe(GatewayErrorCode.ConfigInvalid);
    expect((error as GatewayError).message).toContain(`${file}: /gateway/port`);
    expect((error as GatewayError).message).toContain(`${file}: /mcpServers/x`);
  });

  it('names the file when it is missing or not parseable', async () => {
    await expect(loadConfigFile(join(dir, 'none.json'))).rejects.toThrow(
      'none.json: cannot read: no such file',
    );
    await expect(loadConfigFile(write('broken.yaml', 'a: [1,'))).rejects.toThrow(
      'broken.yaml: not valid YAML',
    );
  });
});

describe('demoConfig', () => {
  it('runs the npm servers from this package’s node_modules over stdio', () => {
    const demo = demoConfig();
    expect(demo.upstreams.map((u) => [u.name, u.transport])).toEqual([
      ['everything', 'stdio'],
      ['memory', 'stdio'],
    ]);
    expect(demo.upstreams[0]!.config.args?.[0]).toMatch(
      /server-everything[/\\]dist[/\\]index\.js$/,
    );
  });
});
