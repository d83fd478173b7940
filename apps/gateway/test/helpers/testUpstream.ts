import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';

/** An MCP server made for tests, over Streamable HTTP on 127.0.0.1 at a free port. */
export interface TestUpstream {
  url: string;
  /** Reasons of every `notifications/cancelled` it received for a `wait` call. */
  cancellations: string[];
  /** `wait` calls in progress. */
  readonly waiting: number;
  /** Sessions initialised so far. */
  readonly initialized: number;
  /** The client name each of those sessions gave in `initialize`, in order. */
  readonly initializedBy: string[];
  /** Forgets every session, as a server that expired them or restarted: their ids get 404. */
  forgetSessions(): Promise<void>;
  /** Adds a tool to every session and sends `notifications/tools/list_changed`. */
  addTool(name: string): Promise<void>;
  /** Stops listening and drops every session: the server is gone. */
  stop(): Promise<void>;
}

/**
 * Tools: `echo` ({text}) -> text; `wait` blocks until cancelled and records the cancellation;
 * plus any added with `addTool`.
 */
export async function startTestUpstream(port = 0): Promise<TestUpstream> {
  const cancellations: string[] = [];
  const extraTools: string[] = [];
  let waiting = 0;
  let initialized = 0;
  const initializedBy: string[] = [];
  const servers = new Set<Server>();
  const transports = new Map<string, StreamableHTTPServerTransport>();

  const newServer = () => {
    const server = new Server(
      { name: 'test-upstream', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    server.fallbackRequestHandler = async (request, extra) => {
      if (request.method === 'tools/list') {
        return {
          tools: ['echo', 'wait', ...extraTools].map((name) => ({
            name,
            inputSchema: { type: 'object' },
          })),
        } as never;
      }
      if (request.method === 'tools/call') {
        const params = request.params as { name: string; arguments?: { text?: string } };
        if (params.name === 'wait') {
          waiting++;
          return new Promise((_resolve, reject) => {
            extra.signal.addEventListener('abort', () => {
              waiting--;
              cancellations.push(String(extra.signal.reason));
              reject(new Error('cancelled'));
            });
          });
        }
        return {
          content: [{ type: 'text', text: params.arguments?.text ?? params.name }],
        } as never;
      }
      throw Object.assign(new Error('Method not found'), { code: -32601 });
    };
    servers.add(server);
    return server;
  };

  const http = createServer(async (req, res) => {
    const body = (await readJsonBody(req)) as { params?: { clientInfo?: { name?: unknown } } };
    const id = req.headers['mcp-session-id'];
    let transport = typeof id === 'string' ? transports.get(id) : undefined;
    if (typeof id === 'string' && !transport) {
      // The spec's answer to a session id the server does not know.
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32001, message: 'Session not found' },
        }),
      );
      return;
    }
    if (!transport) {
      const t: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => {
          initialized++;
          initializedBy.push(String(body?.params?.clientInfo?.name));
          transports.set(sid, t);
        },
      });
      transport = t;
      await newServer().connect(t);
    }
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  const bound = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}/mcp`,
    cancellations,
    get waiting() {
      return waiting;
    },
    get initialized() {
      return initialized;
    },
    initializedBy,
    async forgetSessions() {
      transports.clear();
    },
    async addTool(name) {
      extraTools.push(name);
      await Promise.all([...servers].map((s) => s.sendToolListChanged().catch(() => {})));
    },
    async stop() {
      for (const t of transports.values()) await t.close().catch(() => {});
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
    },
  };
}

/** A request's JSON body, or undefined when it has none (a GET, a DELETE). */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : undefined;
}
