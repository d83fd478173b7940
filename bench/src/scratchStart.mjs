import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const everything = createRequire(
  new URL('../../packages/monitor/package.json', import.meta.url),
).resolve('@modelcontextprotocol/server-everything/dist/index.js');
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const c = spawn(process.execPath, [everything, 'stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  c.stdin.write(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'x', version: '1' },
      },
    }) + '\n',
  );
  await new Promise((r) => c.stdout.once('data', r));
  console.log('initialize answered after', Math.round(performance.now() - t0), 'ms');
  c.kill('SIGKILL');
}
