import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { createLineSplitter } from '@selfheal/internal';
import { errorMessage, MonitorError, MonitorErrorCode } from '../errors.js';
import { type ControlReply, type ControlRequest, checkControlRequest } from './controlProtocol.js';
import { checkSocketPath } from './socketPath.js';

/** The longest request line read; a longer one is refused, and the rest of it dropped. */
const MAX_REQUEST_BYTES = 1024 * 1024;

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
 *
 * Only this user (and root) can reach the socket, whatever the umask: its folder is created
 * with mode 0700 (or set to 0700 if it exists and is this user's), and the socket file is set to
 * 0600. A request's reported `pid` is looked up in /proc where there is one, and the uid found
 * there replaces the reported `uid`.
 * @throws MonitorError CONTROL_IN_USE when another one answers at `path`, CONTROL_PATH_TOO_LONG
 *   when `path` does not fit a socket address, CONTROL_FOLDER_UNSAFE when its folder belongs to
 *   another user or is a shared one (sticky, as /tmp).
 */
export async function listenControl(
  path: string,
  handle: (request: ControlRequest) => Promise<ControlReply>,
): Promise<ControlServer> {
  checkSocketPath(path);
  ownFolder(dirname(path));
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
    const reply = (answered: ControlReply) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(answered)}\n`);
    };
    const lines = createLineSplitter((line) => void answer(line).then(reply), {
      maxLineBytes: MAX_REQUEST_BYTES,
      onTooLong: () =>
        reply({ ok: false, error: `a request longer than ${MAX_REQUEST_BYTES} bytes` }),
    });
    socket.on('data', (chunk: Buffer) => lines.push(chunk));
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
    const seen = request.pid === undefined ? undefined : uidOfProcess(request.pid);
    try {
      return await handle(seen === undefined ? request : { ...request, uid: seen });
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
  // The umask decided the mode it was created with; the 0700 folder kept others out meanwhile.
  chmodSync(path, 0o600);
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

/**
 * Makes `folder` a place only this user can enter: created with mode 0700, or set to 0700 when
 * it exists and is this user's; another user's folder, or a shared sticky one like /tmp (whose
 * mode must not change), is refused.
 */
function ownFolder(folder: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const stat = statSync(folder);
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) {
    throw new MonitorError(
      MonitorErrorCode.ControlFolderUnsafe,
      `${folder}: the control socket's folder belongs to another user (uid ${stat.uid}; this process runs as uid ${uid}); choose a socket path in a folder of your own with --control PATH`,
      { data: { folder, owner: stat.uid, uid } },
    );
  }
  if ((stat.mode & 0o1000) !== 0) {
    throw new MonitorError(
      MonitorErrorCode.ControlFolderUnsafe,
      `${folder}: the control socket's folder is shared (sticky, like /tmp), so it cannot be made private; choose a socket path in a folder of your own with --control PATH`,
      { data: { folder } },
    );
  }
  if ((stat.mode & 0o777) !== 0o700) chmodSync(folder, 0o700);
}

/** The real uid of process `pid` from /proc (Linux); undefined where it cannot be read. */
function uidOfProcess(pid: number): number | undefined {
  try {
    const line = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line ? Number(line[1]) : undefined;
  } catch {
    return undefined;
  }
}
