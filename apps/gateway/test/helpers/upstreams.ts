import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** Entry points of the real servers from npm, run from node_modules (no download). */
export const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
export const MEMORY = require.resolve('@modelcontextprotocol/server-memory/dist/index.js');
const PRELOAD = fileURLToPath(new URL('./listenOnLoopback.mjs', import.meta.url));

/** A config entry for server-everything over stdio. */
export const everythingStdio = () => ({ command: process.execPath, args: [EVERYTHING, 'stdio'] });

/** A config entry for server-memory over stdio, with its file in `file`. */
export const memoryStdio = (file: string) => ({
  command: process.execPath,
  args: [MEMORY],
  env: { MEMORY_FILE_PATH: file },
});

/** A server-everything process serving `mode` on 127.0.0.1 at a free port. */
export interface HttpUpstream {
  /** Its MCP endpoint (`/mcp` for streamableHttp, `/sse` for sse). */
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts server-everything over Streamable HTTP or legacy SSE; resolves once it listens. */
export function startEverythingHttp(mode: 'streamableHttp' | 'sse'): Promise<HttpUpstream> {
  const child = spawn(process.execPath, ['--import', PRELOAD, EVERYTHING, mode], {
    env: { ...process.env, PORT: '0' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /TEST_LISTENING (\d+)/.exec(seen);
      if (match) {
        const path = mode === 'sse' ? '/sse' : '/mcp';
        resolve({ url: `http://127.0.0.1:${match[1]}${path}`, process: child, stop });
      }
    });
    child.once('exit', (code) => reject(new Error(`server-everything exited (${code}): ${seen}`)));
  });
}
