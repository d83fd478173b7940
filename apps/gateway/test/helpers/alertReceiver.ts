import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver took. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: Buffer;
  json: Record<string, unknown>;
  /** The status it was answered with. */
  answered: number;
}

/** A local HTTP receiver for alert sinks, on 127.0.0.1; answers 202 unless told otherwise. */
export interface AlertReceiver {
  readonly url: string;
  readonly port: number;
  readonly received: Received[];
  /** The status the next requests get (e.g. 503). */
  status: number;
  /** Resolves once `count` requests matching `filter` have arrived. */
  until(count: number, filter?: (r: Received) => boolean, timeoutMs?: number): Promise<Received[]>;
  /** Stops listening (connections refused) until {@link listen} again on the same port. */
  close(): Promise<void>;
  listen(): Promise<void>;
}

/** Starts an {@link AlertReceiver} on a free port (or `port`). */
export async function startAlertReceiver(port = 0): Promise<AlertReceiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  let server: Server;
  const receiver = {
    url: '',
    port,
    received,
    status: 202,
    async listen() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const raw = Buffer.concat(chunks);
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(raw.toString('utf8'));
          } catch {}
          received.push({
            path: req.url ?? '/',
            headers: req.headers,
            raw,
            json,
            answered: receiver.status,
          });
          for (const w of [...waiters]) w();
          res.writeHead(receiver.status, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ status: 'success', message: 'Event processed' }));
        });
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(receiver.port, '127.0.0.1', () => resolve());
      });
      receiver.port = (server.address() as AddressInfo).port;
      receiver.url = `http://127.0.0.1:${receiver.port}`;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    until(count: number, filter: (r: Received) => boolean = () => true, timeoutMs = 20_000) {
      return new Promise<Received[]>((resolve, reject) => {
        const check = () => {
          const matching = received.filter(filter);
          if (matching.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `${received.filter(filter).length} of ${count} requests within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
  await receiver.listen();
  return receiver;
}
