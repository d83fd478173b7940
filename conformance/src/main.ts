#!/usr/bin/env node
// The conformance server as a command:
//   node conformance/dist/main.js [--port N] [--host H]   Streamable HTTP; prints the /mcp URL as one line
//   node conformance/dist/main.js --stdio                 stdio (stdout is the protocol channel)
import { parseArgs } from 'node:util';
import { startConformanceHttpServer } from './httpServer.js';
import { serveConformanceStdio } from './stdioServer.js';

const usage = `usage: node conformance/dist/main.js [--port N] [--host H] | --stdio

  --port N   port to listen on (env SELFHEAL_CONFORMANCE_PORT); 0 (default) picks a free one
  --host H   interface (default 127.0.0.1)
  --stdio    serve on stdin/stdout instead of HTTP
`;

function fail(message: string): never {
  process.stderr.write(`conformance server: ${message}\n\n${usage}`);
  process.exit(2);
}

let values: { port?: string; host: string; stdio: boolean; help: boolean };
try {
  values = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      stdio: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}

if (values.stdio) {
  const close = serveConformanceStdio();
  process.stdin.once('end', () => void close().then(() => process.exit(0)));
} else {
  const rawPort = values.port ?? process.env.SELFHEAL_CONFORMANCE_PORT ?? '0';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    fail(`--port / SELFHEAL_CONFORMANCE_PORT: expected an integer 0..65535, found "${rawPort}"`);
  }
  const server = await startConformanceHttpServer({ port, host: values.host });
  process.stdout.write(`${server.url}\n`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
