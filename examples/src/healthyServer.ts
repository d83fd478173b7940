#!/usr/bin/env node
// The example MCP server as a command:
//   node examples/dist/healthyServer.js [--port N] [--host H] [--health ok|degraded|down] [--name S]
// Prints one JSON line, {"url": ".../mcp", "health": ".../health", "pid": N}, once listening.
import { parseArgs } from 'node:util';
import { isHealthStatus } from '@selfheal/health-endpoint';
import { startHealthyServer } from './createHealthyServer.js';

const usage = `usage: node examples/dist/healthyServer.js [--port N] [--host H] [--health STATUS] [--name S]

  --port N          port to listen on; 0 (default) picks a free one
  --host H          interface (default 127.0.0.1)
  --health STATUS   what the "backend" component starts as: ok (default), degraded, down
                    (env SELFHEAL_EXAMPLE_HEALTH; flip later with the set_health tool or
                    POST /admin/health {"status": "degraded"})
  --name S          MCP server name (default "healthy")
`;

function fail(message: string): never {
  process.stderr.write(`healthyServer: ${message}\n\n${usage}`);
  process.exit(2);
}

let values: ReturnType<typeof parse>['values'];
function parse() {
  return parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      health: { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
try {
  values = parse().values;
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  fail(`--port: expected an integer 0..65535, found "${values.port}"`);
}
const health = values.health ?? process.env.SELFHEAL_EXAMPLE_HEALTH ?? 'ok';
if (!isHealthStatus(health)) {
  fail(`--health / SELFHEAL_EXAMPLE_HEALTH: expected ok, degraded or down, found "${health}"`);
}

try {
  const server = await startHealthyServer({ port, host: values.host, health, name: values.name });
  process.stdout.write(
    `${JSON.stringify({ url: server.url, health: server.health, pid: process.pid })}\n`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (error) {
  process.stderr.write(
    `healthyServer: cannot listen on ${values.host}:${port}: ${(error as Error).message}\n`,
  );
  process.exit(1);
}
