import { createConnection } from 'node:net';
import { createLineSplitter } from '@selfheal/internal';
import { MonitorError, MonitorErrorCode } from '../errors.js';
import type { ControlReply, ControlRequest } from './controlProtocol.js';
import { checkSocketPath } from './socketPath.js';

/**
 * Sends one request to a running monitor's control socket and resolves to its reply. The
 * request carries this process's uid and pid (unless it names others), so the events it causes
 * say who asked.
 * @throws MonitorError CONTROL_UNREACHABLE when no monitor listens at `path` or it does not
 *   answer within `timeoutMs` (default 5000); CONTROL_PATH_TOO_LONG when `path` does not fit a
 *   socket address.
 */
export function sendControl(
  path: string,
  request: ControlRequest,
  timeoutMs = 5000,
): Promise<ControlReply> {
  return new Promise((resolve, reject) => {
    checkSocketPath(path);
    const socket = createConnection(path);
    const fail = (reason: string) => {
      socket.destroy();
      reject(
        new MonitorError(
          MonitorErrorCode.ControlUnreachable,
          `${path}: no running monitor answers (${reason}); is a \`selfheal monitor\`, \`start\` or \`stdio\` running with this socket?`,
        ),
      );
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    socket.once('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message));
    const uid = process.getuid?.();
    const caller = { ...(uid === undefined ? {} : { uid }), pid: process.pid, ...request };
    socket.once('connect', () => socket.write(`${JSON.stringify(caller)}\n`));
    // The reply is the first line, decoded whole (it may span reads).
    const lines = createLineSplitter((line) => {
      lines.stop();
      socket.destroy();
      try {
        resolve(JSON.parse(line) as ControlReply);
      } catch {
        fail('the answer is not JSON');
      }
    });
    socket.on('data', (chunk: Buffer) => lines.push(chunk));
  });
}
