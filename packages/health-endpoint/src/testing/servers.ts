import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real server on 127.0.0.1 and a free port, with a close that also drops open sockets. */
export interface TestServer {
  base: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts `listener` (or an existing server) on 127.0.0.1:0. */
export async function listen(target: RequestListener | Server): Promise<TestServer> {
  const server = typeof target === 'function' ? createServer(target) : target;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** GETs `url` and returns status, the headers that matter and the parsed body. */
export async function get(url: string, init: RequestInit = {}) {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    cache: response.headers.get('cache-control'),
    text,
    json: () => JSON.parse(text) as Record<string, unknown>,
  };
}
