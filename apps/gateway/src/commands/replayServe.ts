import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewaySettings } from '../config/loadConfig.js';
import { createDashboard, readEventFiles } from '../http/dashboard.js';
import { createOriginPolicy, rebindingViolation } from '../http/security.js';
import { type CliIO, ExitCode, untilStopped } from '../io.js';

/** Default port of `selfheal replay --serve` (the gateway's is 4700). */
export const REPLAY_SERVE_PORT = 4701;

/**
 * `selfheal replay FILE... --serve`: the dashboard over `files` on 127.0.0.1:`port`, with no
 * gateway: the page folds the files' events as the replay does (time travel, SLA, incidents).
 * Runs until SIGINT or SIGTERM.
 */
export async function serveReplay(files: string[], port: number, io: CliIO): Promise<number> {
  const dashboard = createDashboard({
    mode: 'replay',
    files,
    events: () => readEventFiles(files),
  });
  let policy = createOriginPolicy({ host: '127.0.0.1' } as GatewaySettings, port);
  const server = createServer((req, res) => {
    req.on('error', () => {});
    const path = new URL(req.url ?? '/', 'http://replay').pathname;
    // Loopback only, and no other site's page may read it (DNS rebinding).
    const violation = rebindingViolation(req, policy);
    if (violation) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`Forbidden: ${violation}\n`);
      return;
    }
    dashboard
      .handle(req, res, path)
      .then((handled) => {
        if (handled) return;
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: `no route for ${path}` }));
      })
      .catch((error: unknown) => {
        io.stderr(`selfheal replay: request failed: ${String(error)}\n`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal error\n');
      });
  });
  const stopped = untilStopped(io);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    io.stderr(
      `selfheal replay: cannot listen on 127.0.0.1:${port}: ${(error as Error).message}; choose another with --port N (0: a free one)\n`,
    );
    return ExitCode.Unusable;
  }
  const bound = (server.address() as AddressInfo).port;
  policy = createOriginPolicy({ host: '127.0.0.1' } as GatewaySettings, bound);
  io.stdout(`dashboard of this replay on http://127.0.0.1:${bound}/ (Ctrl-C stops)\n`);
  await stopped;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return ExitCode.Ok;
}
