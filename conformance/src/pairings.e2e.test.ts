// SDK 1.x and 2.x clients and servers in all four pairings through the gateway, over stdio and
// HTTP on both sides, with an elicitation that crosses revisions both ways:
//
//   front (downstream)        gateway                    back (upstream)
//   HTTP  (`selfheal start`)  ──stdio──▶  `ev` server-everything (SDK 1.x, 2025-11-25)
//                             ──stdio──▶  `cf` conformance server (SDK 2.x, both revisions)
//   stdio (`selfheal stdio`)  ──HTTP───▶  `ev` server-everything over Streamable HTTP
//                             ──HTTP───▶  `cf` conformance server over Streamable HTTP
//
// Clients: SDK 1.32.2 (2025-11-25, sessions) and SDK 2.4.0 in `auto` negotiation, which the
// gateway serves as a 2026-07-28 client (stateless). Each pairing lists tools, calls one and
// answers an elicitation: a 2025 server's `elicitation/create` request reaches a 2026 client as
// `input_required` (fulfilled by its SDK through the registered handler); a 2026 tool's
// `input_required` reaches a 2025 client as a real `elicitation/create` request.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Client as Client2,
  StreamableHTTPClientTransport as Http2,
} from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as Http1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createMcpHandler } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConformanceServerFactory } from './conformanceServer.js';
import { TEXT } from './fixtures.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const SELFHEAL = join(repoRoot, 'apps', 'gateway', 'bin', 'selfheal.js');
const CONFORMANCE = join(repoRoot, 'conformance', 'dist', 'main.js');
const EVERYTHING = createRequire(import.meta.url).resolve(
  '@modelcontextprotocol/server-everything/dist/index.js',
);
// Binds server-everything's listener to 127.0.0.1 and reports its port (it takes PORT only).
const LOOPBACK = join(repoRoot, 'apps', 'gateway', 'test', 'helpers', 'listenOnLoopback.mjs');

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const CLIENT = { name: 'pairings-test', version: '1.0.0' };
/** What the elicitation handlers answer, per field the server asks for. */
const ANSWERS: Record<string, unknown> = {
  name: 'Ada Lovelace',
  check: true,
  username: 'ada',
  email: 'ada@example.com',
  color: 'teal',
};

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.allSettled(
    cleanups
      .splice(0)
      .reverse()
      .map((cleanup) => cleanup()),
  );
});

/** Spawns `node args`; resolves with the first match of `ready` on `stream`, rejects on exit. */
function startNode(
  args: string[],
  ready: RegExp,
  stream: 'stdout' | 'stderr',
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ match: RegExpExecArray; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (stream === 'stdout') check();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (stream === 'stderr') check();
    });
    const check = () => {
      const match = ready.exec(output);
      if (match) resolve({ match, child });
    };
    void exited.then(() => reject(new Error(`node ${args.join(' ')} exited:\n${output}`)));
  });
}

/** A gateway config file in a fresh folder (its event log and control socket go there too). */
function writeConfig(servers: Record<string, unknown>): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pairings-'));
  const config = join(dir, 'selfheal.json');
  writeFileSync(config, JSON.stringify({ mcpServers: servers }, null, 2));
  return { dir, config };
}

/** Answers an elicitation with {@link ANSWERS} for the fields its schema asks for. */
function answer(params: { requestedSchema?: { properties?: Record<string, unknown> } }) {
  const fields = Object.keys(params.requestedSchema?.properties ?? {}).filter((f) => f in ANSWERS);
  return {
    action: 'accept' as const,
    content: Object.fromEntries(fields.map((f) => [f, ANSWERS[f]])) as Record<string, string>,
  };
}

/** What each pairing's test needs of a client, whichever SDK it is. */
interface AnyClient {
  sdk: '1.x' | '2.x';
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(name: string, args?: Record<string, unknown>): Promise<string>;
  /** Every elicitation the client was asked, in order (its method and params). */
  elicitations: { method: string; params: Record<string, unknown> }[];
  /** The `input_required` results the client received (2026-07-28 only), in order. */
  inputRequired: Record<string, unknown>[];
  /** The revision spoken with the gateway. */
  version(): string | undefined;
  close(): Promise<void>;
}

const textOf = (result: Record<string, unknown>) =>
  (result.content as { type: string; text?: string }[]).map((c) => c.text ?? c.type).join('\n');

/**
 * Calls `onResult` with every result the transport hands its client, from the first on: the
 * transport's public `onmessage` hook becomes an accessor that wraps whatever handler the
 * client installs, whenever it does (either SDK's transports).
 */
function tapResults(transport: object, onResult: (result: Record<string, unknown>) => void) {
  let deliver: ((message: unknown, ...rest: unknown[]) => void) | undefined;
  const tapped = (message: { result?: Record<string, unknown> }, ...rest: unknown[]) => {
    if (message.result) onResult(message.result);
    deliver?.(message, ...rest);
  };
  Object.defineProperty(transport, 'onmessage', {
    configurable: true,
    get: () => (deliver ? tapped : undefined),
    set: (handler: typeof deliver) => {
      deliver = handler;
    },
  });
}

type Front = { http: string } | { stdio: { config: string; dir: string } };

async function connect1(front: Front): Promise<AnyClient> {
  const client = new Client1(CLIENT, { capabilities: { elicitation: {} } });
  const elicitations: AnyClient['elicitations'] = [];
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    elicitations.push({ method: request.method, params: request.params });
    return answer(request.params as Parameters<typeof answer>[0]);
  });
  const transport =
    'http' in front
      ? new Http1(new URL(front.http))
      : new Stdio1({
          command: process.execPath,
          args: [SELFHEAL, 'stdio', '--config', front.stdio.config],
          cwd: front.stdio.dir,
          stderr: 'ignore',
        });
  let version: string | undefined;
  tapResults(transport, (result) => {
    if (typeof result.protocolVersion === 'string') version ??= result.protocolVersion;
  });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return {
    sdk: '1.x',
    listTools: () => client.listTools(),
    callTool: async (name, args = {}) =>
      textOf(await client.callTool({ name, arguments: args }, undefined, { timeout: 20_000 })),
    elicitations,
    inputRequired: [],
    version: () => version,
    close: () => client.close(),
  };
}

async function connect2(front: Front): Promise<AnyClient> {
  const client = new Client2(CLIENT, {
    versionNegotiation: { mode: 'auto' },
    capabilities: { elicitation: {} },
  });
  const elicitations: AnyClient['elicitations'] = [];
  client.setRequestHandler('elicitation/create', async (request) => {
    elicitations.push({ method: request.method, params: request.params });
    return answer(request.params as Parameters<typeof answer>[0]);
  });
  const transport =
    'http' in front
      ? new Http2(new URL(front.http))
      : new Stdio2({
          command: process.execPath,
          args: [SELFHEAL, 'stdio', '--config', front.stdio.config],
          cwd: front.stdio.dir,
          stderr: 'ignore',
        });
  // The rounds the SDK fulfils inside callTool.
  const inputRequired: Record<string, unknown>[] = [];
  tapResults(transport, (result) => {
    if (result.resultType === 'input_required') inputRequired.push(result);
  });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return {
    sdk: '2.x',
    listTools: () => client.listTools(),
    callTool: async (name, args = {}) =>
      textOf(await client.callTool({ name, arguments: args }, { timeout: 20_000 })),
    elicitations,
    inputRequired,
    version: () => client.getNegotiatedProtocolVersion(),
    close: () => client.close(),
  };
}

/** How the input a server asks for reaches a 2026-07-28 client through the gateway. */
type Relay =
  /** The gateway turned the server's `elicitation/create` requests into `input_required`. */
  | 'bridged'
  /** The server's own `input_required` result went through as it came. */
  | 'passed-through';

/** The `inputRequests` keys of each `input_required` round a client received. */
const roundKeys = (client: AnyClient) =>
  client.inputRequired.map((result) => Object.keys(result.inputRequests as object));

/**
 * Asserts the `input_required` rounds a 2026-07-28 client received (a 2025-11-25 client gets
 * none): `passed-through`, the server's own keys, `rounds`; `bridged`, one gateway key
 * (`input_N`) per request the server sent, where `rounds` names the requests, and the gateway's
 * `requestState` on each round.
 */
function expectRounds(client: AnyClient, relay: Relay, rounds: string[][]) {
  if (client.sdk === '1.x') return expect(client.inputRequired).toEqual([]);
  if (relay === 'passed-through') return expect(roundKeys(client)).toEqual(rounds);
  expect(roundKeys(client)).toEqual(
    rounds.map((requests) => requests.map(() => expect.stringMatching(/^input_\d+$/))),
  );
  for (const result of client.inputRequired)
    expect(result.requestState).toEqual(expect.any(String));
}

/**
 * The four pairings against one gateway. `ev__*` tools are server-everything's (SDK 1.x, whose
 * elicitation is a server-to-client request); `cf__*` the conformance server's (SDK 2.x, whose
 * elicitation is an `input_required` result). `relay` is how the conformance server's rounds
 * reach a 2026-07-28 client on this side of the gateway.
 */
function pairings(front: () => Front, relay: Relay) {
  const clients = { '1.x': connect1, '2.x': connect2 } as const;
  for (const sdk of ['1.x', '2.x'] as const) {
    const revision = sdk === '1.x' ? LEGACY : MODERN;

    it(`SDK ${sdk} client (${revision}) ↔ SDK 1.x server: tools, a call, an elicitation`, async () => {
      const client = await clients[sdk](front());
      expect(client.version()).toBe(revision);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining(['ev__echo', 'ev__trigger-elicitation-request']),
      );
      expect(await client.callTool('ev__echo', { message: `from ${sdk}` })).toBe(
        `Echo: from ${sdk}`,
      );
      const text = await client.callTool('ev__trigger-elicitation-request');
      expect(client.elicitations).toHaveLength(1);
      expect(client.elicitations[0]).toMatchObject({
        method: 'elicitation/create',
        params: { message: 'Please provide inputs for the following fields:' },
      });
      expectRounds(client, 'bridged', [['elicitation/create']]);
      expect(text).toContain('- Name: Ada Lovelace');
      expect(text).toContain('- Agreed to terms: true');
      await client.close();
    });

    it(`SDK ${sdk} client (${revision}) ↔ SDK 2.x server: tools, a call, elicitations`, async () => {
      const client = await clients[sdk](front());
      expect(client.version()).toBe(revision);
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'cf__test_simple_text',
          'cf__test_input_required_result_elicitation',
        ]),
      );
      expect(await client.callTool('cf__test_simple_text')).toBe(TEXT.simple);

      const text = await client.callTool('cf__test_input_required_result_elicitation');
      expect(client.elicitations.map((e) => [e.method, e.params.message])).toEqual([
        ['elicitation/create', 'What is your name?'],
      ]);
      expectRounds(client, relay, [['user_name']]);
      expect(text).toBe('Hello, Ada Lovelace!');

      // Two rounds, the second depending on the first (sealed requestState upstream).
      client.elicitations.length = 0;
      client.inputRequired.length = 0;
      const twice = await client.callTool('cf__test_input_required_result_multi_round');
      expect(client.elicitations.map((e) => e.params.message)).toEqual([
        'Step 1: What is your name?',
        'Step 2: What is your favorite color?',
      ]);
      expectRounds(client, relay, [['step1'], ['step2']]);
      expect(twice).toBe('Hello Ada Lovelace, your favorite color is teal');
      await client.close();
    });
  }
}

describe('pairings through `selfheal start` (HTTP front), servers over stdio', () => {
  let url = '';
  beforeAll(async () => {
    const { dir, config } = writeConfig({
      ev: { command: process.execPath, args: [EVERYTHING, 'stdio'] },
      cf: { command: process.execPath, args: [CONFORMANCE, '--stdio'] },
    });
    const { match } = await startNode(
      [SELFHEAL, 'start', '--config', config, '--port', '0'],
      /listening on (http:\/\/\S+\/mcp)[\s\S]*ready: (\d+) of 2 servers up/,
      'stdout',
      { cwd: dir },
    );
    expect(match[2]).toBe('2');
    url = match[1]!;
  }, 30_000);

  // The conformance server speaks 2026-07-28 over stdio too: its rounds pass through as they are.
  pairings(() => ({ http: url }), 'passed-through');
});

describe('pairings through `selfheal stdio` (stdio front), servers over Streamable HTTP', () => {
  let front: Front = { http: '' };
  beforeAll(async () => {
    const [everything, conformance] = await Promise.all([
      startNode(
        ['--import', LOOPBACK, EVERYTHING, 'streamableHttp'],
        /TEST_LISTENING (\d+)/,
        'stderr',
        {
          env: { ...process.env, PORT: '0' },
        },
      ),
      startNode([CONFORMANCE, '--port', '0'], /^(http:\/\/\S+\/mcp)$/m, 'stdout'),
    ]);
    front = {
      stdio: writeConfig({
        ev: { url: `http://127.0.0.1:${everything.match[1]}/mcp` },
        cf: { url: conformance.match[1] },
      }),
    };
  }, 30_000);

  pairings(() => front, 'passed-through');
});

// A server that speaks only 2026-07-28 (SDK 2.x `createMcpHandler` with `legacy: 'reject'`):
// the gateway finds out with `server/discover` before anything else and talks to it statelessly
// (RFC 0013); a 2025-11-25 client gets the server's input_required as real elicitation requests
// (the gateway's reverse bridge), a 2026-07-28 client gets it as it is.
describe('through `selfheal start`, an SDK 2.x server that speaks only 2026-07-28 (HTTP)', () => {
  let url = '';
  beforeAll(async () => {
    const handler = createMcpHandler(createConformanceServerFactory(), { legacy: 'reject' });
    const serve = toNodeHandler(handler);
    const http = createServer((req, res) => void serve(req, res));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      await handler.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    });
    const { port } = http.address() as AddressInfo;
    const { dir, config } = writeConfig({
      mo: {
        url: `http://localhost:${port}/mcp`,
        // Down at its first failed check, and left for an operator: lists do not wait for it.
        health_check: { failure_threshold: 1, startup_grace_seconds: 0 },
        recovery: { strategy: 'manual' },
      },
    });
    const { match } = await startNode(
      [SELFHEAL, 'start', '--config', config, '--port', '0'],
      /listening on (http:\/\/\S+\/mcp)[\s\S]*ready: \d+ of 1 servers up/,
      'stdout',
      { cwd: dir },
    );
    url = match[1]!;
  }, 30_000);

  for (const [sdk, connect] of [
    ['1.x', connect1],
    ['2.x', connect2],
  ] as const) {
    it(`SDK ${sdk} client: lists its tools and answers its input_required`, async () => {
      const client = await connect({ http: url });
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toContain('mo__test_input_required_result_elicitation');
      expect(await client.callTool('mo__test_input_required_result_elicitation')).toBe(
        'Hello, Ada Lovelace!',
      );
      expect(client.elicitations).toHaveLength(1);
      await client.close();
    });
  }

  it('regression: a 2025-11-25 client that cannot answer gets an error, and the server is not taken for broken', async () => {
    const client = new Client1(CLIENT, { capabilities: {} });
    await client.connect(new Http1(new URL(url)));
    cleanups.push(() => client.close());
    const refused = await client
      .callTool({ name: 'mo__test_input_required_result_elicitation', arguments: {} })
      .then(
        (result) => JSON.stringify(result),
        (error: Error) => error.message,
      );
    // The client's refusal is an answer: not "the session broke" with a replay or a failover.
    expect(refused).not.toMatch(/session broke|connection_lost/);
    expect(refused).toMatch(/elicitation/i);
    const text = await client.callTool({ name: 'mo__test_simple_text', arguments: {} });
    expect(textOf(text as Record<string, unknown>)).toBe(
      'This is a simple text response for testing.',
    );
  });
});

// Two gateways on the same server, no affinity (RFC 0013): a 2026-07-28 client sends each
// request to either. The server's own requestState carries a call across rounds, so the retry
// that answers an input_required may reach the other gateway.
describe('two `selfheal start` processes on one 2026-07-28 server, requests alternating', () => {
  const gateways: string[] = [];
  beforeAll(async () => {
    const server = await startNode(
      [CONFORMANCE, '--port', '0'],
      /^(http:\/\/\S+\/mcp)$/m,
      'stdout',
    );
    for (let i = 0; i < 2; i++) {
      const { dir, config } = writeConfig({ cf: { url: server.match[1] } });
      const { match } = await startNode(
        [SELFHEAL, 'start', '--config', config, '--port', '0'],
        /listening on (http:\/\/\S+\/mcp)[\s\S]*ready: 1 of 1 servers up/,
        'stdout',
        { cwd: dir },
      );
      gateways.push(match[1]!);
    }
  }, 30_000);

  let nextId = 1;
  /** One stateless request, as a 2026-07-28 client sends it, to gateway `which`. */
  const post = async (which: number, method: string, params: Record<string, unknown>) => {
    const response = await fetch(gateways[which]!, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': MODERN,
        'mcp-method': method,
        ...(typeof params.name === 'string' && { 'mcp-name': params.name }),
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: nextId++,
        method,
        params: {
          ...params,
          _meta: {
            'io.modelcontextprotocol/protocolVersion': MODERN,
            'io.modelcontextprotocol/clientCapabilities': { elicitation: {} },
            'io.modelcontextprotocol/clientInfo': CLIENT,
          },
        },
      }),
    });
    const text = await response.text();
    const data = response.headers.get('content-type')?.includes('text/event-stream')
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data: '))
          .map((line) => JSON.parse(line.slice(6)))
          .at(-1)
      : JSON.parse(text);
    return data.result as Record<string, unknown>;
  };

  it('answers an input_required round on one gateway and its retry on the other', async () => {
    const tools = await post(1, 'tools/list', {});
    expect((tools.tools as { name: string }[]).map((t) => t.name)).toContain(
      'cf__test_input_required_result_elicitation',
    );
    const name = 'cf__test_input_required_result_elicitation';
    const asked = await post(0, 'tools/call', { name, arguments: {} });
    expect(asked.resultType).toBe('input_required');
    const [key] = Object.keys(asked.inputRequests as object);
    const answered = await post(1, 'tools/call', {
      name,
      arguments: {},
      inputResponses: { [key!]: { action: 'accept', content: { name: 'Ada Lovelace' } } },
      ...(asked.requestState === undefined ? {} : { requestState: asked.requestState }),
    });
    expect(answered.resultType).toBe('complete');
    expect(JSON.stringify(answered.content)).toContain('Hello, Ada Lovelace!');
  });
});
