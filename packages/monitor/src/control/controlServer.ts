import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { errorMessage, MonitorError, MonitorErrorCode } from '../errors.js';
import { type ControlReply, type ControlRequest, checkControlRequest } from './controlProtocol.js';
import { checkSocketPath } from './socketPath.js';

/** A listening control socket. */
export interface ControlServer {
  readonly path: string;
  /** Stops listening and removes the socket file. Idempotent. */
  close(): Promise<void>;
}

/**
 * Listens on a Unix domain socket at `path` for operator requests (one JSON line each, see
 * {@link ControlRequest}) and answers each with one JSON line. A stale socket file left by a
 * monitor or gateway that died is replaced; a live one means another one runs there (an error).
 * Bad requests get `{ok: false, error}`; they never throw in the monitor.
 * @throws MonitorError CONTROL_IN_USE when another one answers at `path`, CONTROL_PATH_TOO_LONG
 *   when `path` does not fit a socket address.
 */
export async function listenControl(
  path: string,
  handle: (request: ControlRequest) => Promise<ControlReply>,
): Promise<ControlServer> {
  checkSocketPath(path);
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) {
    if (await answers(path)) {
      throw new MonitorError(
        MonitorErrorCode.ControlInUse,
        `${path}: another selfheal monitor or gateway is already listening on this control socket`,
      );
    }
    unlinkSync(path);
  }
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        void answer(line).then((reply) => {
          if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
        });
      }
    });
  });
  async function answer(line: string): Promise<ControlReply> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { ok: false, error: 'expected one JSON object per line' };
    }
    const request = checkControlRequest(parsed);
    if (typeof request === 'string') return { ok: false, error: request };
    try {
      return await handle(request);
    } catch (error) {
      return { ok: false, error: errorMessage(error) };
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  return {
    path,
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
