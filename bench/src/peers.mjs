// Other programs that put one MCP endpoint in front of stdio servers, started for the gateway
// overhead table (gatewayLoad.mjs, BENCH_PEERS) with server-everything over stdio behind them,
// each its own process. Neither peer has a host option (both listen on every interface), so
// each is started with the loopback preload (listenOnLoopback.mjs): they listen on 127.0.0.1.
//
// - `gateway-stdio`: this checkout's gateway on the same stdio server, the row to set against
//   the peers (the `gateway` row reaches server-everything over Streamable HTTP);
//   `baseline-stdio`: the same with SELFHEAL_BASELINE_BIN (an older build), to measure a change
//   of the stdio path side by side.
// - `mcp-hub` (4.x): aggregates a config of servers (`mcpServers`, one connection per server
//   shared by its clients) behind `/mcp`, which speaks the 2024-11-05 HTTP+SSE transport (GET
//   /mcp, POST /messages), not Streamable HTTP; tools are named `<server>__<tool>`. It wants a
//   real port, fetches a marketplace catalog from the internet at start unless its cache is
//   fresh (the cache is seeded, so it does not), and logs under $HOME: all in a folder of its own.
// - `supergateway` (4.x): wraps one stdio server as Streamable HTTP. `--stateful`: a child
//   process per client session (closed when the session ends or after `--sessionTimeout`),
//   the mode for many clients that each keep a session; the default stateless mode starts a
//   child process per POST (`supergateway-stateless`, not in the default set: each call then
//   pays a Node start-up).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVERYTHING, freePort, gatewayConfig, PRELOAD, SELFHEAL, start } from './mcpLoad.mjs';

const require = createRequire(import.meta.url);
const MCP_HUB = require.resolve('mcp-hub/package.json').replace(/package\.json$/, 'dist/cli.js');
const SUPERGATEWAY = require
  .resolve('supergateway/package.json')
  .replace(/package\.json$/, 'dist/index.js');

/** server-everything over stdio, as a command and its arguments. */
const STDIO_SERVER = { command: process.execPath, args: [EVERYTHING, 'stdio'] };

/**
 * Starts the peer `name` and resolves to what the load needs: its MCP `url`, the client
 * `transport` it speaks, the name of server-everything's `echo` tool behind it, and its `pid`
 * (its own CPU time; a peer's children are not counted, as the gateway's stdio server is not).
 */
export async function startPeer(name, nodeArgs = []) {
  if (name === 'gateway-stdio' || name === 'baseline-stdio') {
    const bin = name === 'gateway-stdio' ? SELFHEAL : process.env.SELFHEAL_BASELINE_BIN;
    if (!bin)
      throw new Error(
        'BENCH_PEERS=baseline-stdio needs SELFHEAL_BASELINE_BIN=path/to/bin/selfheal.js',
      );
    const config = gatewayConfig(name, { mcpServers: { ev: STDIO_SERVER } });
    const { value, pid } = await start(
      [...nodeArgs, bin, 'start', '--config', config, '--port', '0'],
      {},
      /listening on (http:\/\/\S+)/,
    );
    return { name, url: value, transport: 'streamableHttp', tool: 'ev__echo', pid };
  }
  if (name === 'mcp-hub') {
    const home = mkdtempSync(join(tmpdir(), 'selfheal-bench-mcp-hub-'));
    const cache = join(home, 'data', 'mcp-hub', 'cache');
    mkdirSync(cache, { recursive: true });
    writeFileSync(
      join(cache, 'registry.json'),
      JSON.stringify({
        registry: { version: 'bench', servers: [{ id: 'none' }] },
        lastFetchedAt: Date.now(),
        serverDocumentation: {},
      }),
    );
    const config = join(home, 'mcp-hub.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { ev: STDIO_SERVER } }));
    const port = await freePort();
    const { pid } = await start(
      ['--import', PRELOAD, MCP_HUB, '--port', String(port), '--config', config],
      {
        HOME: home,
        XDG_DATA_HOME: join(home, 'data'),
        XDG_STATE_HOME: join(home, 'state'),
        XDG_CONFIG_HOME: join(home, 'config'),
      },
      /(\d+)\/\d+ servers started successfully/,
    );
    return { name, url: `http://127.0.0.1:${port}/mcp`, transport: 'sse', tool: 'ev__echo', pid };
  }
  if (name === 'supergateway' || name === 'supergateway-stateless') {
    const stdio = [STDIO_SERVER.command, ...STDIO_SERVER.args].map((a) => `'${a}'`).join(' ');
    const mode = name === 'supergateway' ? ['--stateful', '--sessionTimeout', '60000'] : [];
    const { value, pid } = await start(
      [
        '--import',
        PRELOAD,
        SUPERGATEWAY,
        '--stdio',
        stdio,
        '--outputTransport',
        'streamableHttp',
        ...mode,
        '--port',
        '0',
      ],
      {},
      /TEST_LISTENING (\d+)/,
    );
    return {
      name,
      url: `http://127.0.0.1:${value}/mcp`,
      transport: 'streamableHttp',
      tool: 'echo',
      pid,
    };
  }
  throw new Error(
    `unknown peer "${name}" in BENCH_PEERS: use gateway-stdio, baseline-stdio, mcp-hub, supergateway or supergateway-stateless`,
  );
}
