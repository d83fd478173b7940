import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';

/** Anything with `subscribe(next)`, e.g. an RxJS Observable (the event bus's `events$`). */
export interface EventSource<T> {
  subscribe(next: (value: T) => void): { unsubscribe(): void };
}

/** An event as pushed: at least `event_type`; `server_name` when a server is concerned. */
export type StreamEvent = { event_type: string; server_name?: string } & Record<string, unknown>;

/** Options of {@link createHealthStream}. */
export interface HealthStreamOptions {
  /** Every event, live. */
  events: EventSource<StreamEvent>;
  /** The first message on connect: the current state (the ecosystem roll-up and per server). */
  snapshot: () => Record<string, unknown>;
  /** Why a connection is refused (rebinding, auth), as an HTTP status and reason; or undefined. */
  refuse: (req: IncomingMessage) => { status: number; reason: string } | undefined;
  /**
   * A client whose unsent data passes this many bytes is dropped (close code 1013): a slow reader
   * never makes the gateway buffer without bound.
   * @default 1048576
   */
  maxBufferedBytes?: number;
  /** Told of each client dropped for passing {@link maxBufferedBytes}. */
  onDrop?: (drop: HealthStreamDrop) => void;
}

/** A `/health/stream` client dropped because it did not read. */
export interface HealthStreamDrop {
  /** The client's address and port, e.g. `127.0.0.1:53122`. */
  client: string;
  /** Bytes waiting to be sent, the message that did not fit included. */
  pendingBytes: number;
  limitBytes: number;
}

/** `WS /health/stream`: a snapshot on connect, then every event, filtered per client. */
export interface HealthStream {
  /** Handles an HTTP upgrade for the stream's path; the caller routes by path first. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Connected clients. */
  readonly clientCount: number;
  /** Closes every client. */
  close(): void;
}

/** Close code for a client dropped for reading too slowly ("try again later"). */
export const SLOW_CLIENT_CLOSE_CODE = 1013;

/**
 * Creates the stream. Query filters: `?server=a,b` (repeatable) keeps events of those servers,
 * `?type=server_down,server_recovered` (repeatable) keeps those event types.
 */
export function createHealthStream(options: HealthStreamOptions): HealthStream {
  const maxBuffered = options.maxBufferedBytes ?? 1_048_576;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  const clients = new Set<WebSocket>();

  const attach = (ws: WebSocket, req: IncomingMessage) => {
    const query = new URL(req.url ?? '/', 'http://gateway').searchParams;
    const servers = listParam(query, 'server');
    const types = listParam(query, 'type');
    const wanted = (event: StreamEvent) =>
      (types === undefined || types.has(event.event_type)) &&
      (servers === undefined ||
        (event.server_name !== undefined && servers.has(event.server_name)));
    clients.add(ws);
    const client = `${req.socket.remoteAddress ?? 'unknown'}:${req.socket.remotePort ?? 0}`;
    const send = (message: Record<string, unknown>) => {
      if (ws.readyState !== ws.OPEN) return;
      const text = JSON.stringify(message);
      // text.length counts UTF-16 units: at most the bytes it encodes to, never an over-count.
      const pending = ws.bufferedAmount + text.length;
      if (pending > maxBuffered) {
        ws.close(SLOW_CLIENT_CLOSE_CODE, 'too slow: events were not read in time');
        // A client that does not read will not read the close frame either.
        ws.terminate();
        options.onDrop?.({ client, pendingBytes: pending, limitBytes: maxBuffered });
        return;
      }
      ws.send(text);
    };
    send({ event_type: 'snapshot', ...options.snapshot() });
    const subscription = options.events.subscribe((event) => {
      if (wanted(event))
        send({
          ...event,
          ...(event.server_name !== undefined ? { server: event.server_name } : {}),
        });
    });
    ws.on('close', () => {
      clients.delete(ws);
      subscription.unsubscribe();
    });
    ws.on('error', () => ws.terminate());
    // The stream is one-way; anything a client sends is ignored.
    ws.on('message', () => {});
  };

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      const refusal = options.refuse(req);
      if (refusal) {
        socket.end(
          `HTTP/1.1 ${refusal.status} ${refusal.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\n` +
            'Connection: close\r\nContent-Type: text/plain\r\n' +
            (refusal.status === 401 ? 'WWW-Authenticate: Bearer realm="selfheal"\r\n' : '') +
            `\r\n${refusal.reason}\n`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => attach(ws, req));
    },
    get clientCount() {
      return clients.size;
    },
    close() {
      for (const ws of clients) ws.terminate();
      clients.clear();
      wss.close();
    },
  };
}

function listParam(query: URLSearchParams, name: string): Set<string> | undefined {
  const values = query
    .getAll(name)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return values.length === 0 ? undefined : new Set(values);
}
