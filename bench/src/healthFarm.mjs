// Serves N W3 /health endpoints on 127.0.0.1 (ports printed as one JSON line), in a process of
// its own so that the monitor's CPU measurement does not include theirs. Usage: node healthFarm.mjs N
import { createServer } from 'node:http';

const count = Number(process.argv[2] ?? 100);
const started = Date.now();
const ports = [];
for (let i = 0; i < count; i++) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/health+json' });
    res.end(
      JSON.stringify({
        status: 'ok',
        timestamp: new Date().toISOString(),
        uptime_seconds: Math.floor((Date.now() - started) / 1000),
      }),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify(ports)}\n`);
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
