// A load generator's MCP client that costs little: one keep-alive HTTP connection, requests
// written from a template, answers read with JSON.parse and checked (the right id, the echo's
// text), no schema validation, no SDK protocol machinery. On two shared cores an SDK client
// costs about as much CPU per call as the gateway under test, so throughput then measures the
// clients as much as the gateways; this client leaves the cores to the programs compared
// (`BENCH_LOAD=lean`, RFC 0010). It speaks what the rows need: Streamable HTTP (with or without
// a session) and the 2024-11-05 HTTP+SSE transport (answers on the GET stream), `initialize`
// and `tools/call`, with the same surface `round()` uses on an SDK `Client`.
import { Agent, request } from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

const INITIALIZE = {
  protocolVersion: LATEST_PROTOCOL_VERSION,
  capabilities: {},
  clientInfo: { name: 'bench-lean', version: '1' },
};

/** Reads a whole response body as a string. */
function readBody(res) {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      body += chunk;
    });
    res.on('end', () => resolve(body));
    res.on('error', reject);
  });
}

/** The JSON-RPC messages of an SSE body or stream chunk series: each `data:` line, parsed. */
export function createSseReader(onMessage) {
  let buffer = '';
  return (chunk) => {
    buffer += chunk;
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
        else if (line.startsWith('event:')) event = line.slice(6).trim();
      }
      if (data.length > 0 && data.join('') !== '') onMessage(event, data.join('\n'));
      end = buffer.indexOf('\n\n');
    }
  };
}

/** The echo tool's answer, or an error naming what came instead. */
function checkEcho(message, id) {
  if (message.id !== id) throw new Error(`answer to ${message.id}, expected ${id}`);
  if (message.error) throw new Error(`call ${id} failed: ${message.error.message}`);
  const text = message.result?.content?.[0]?.text;
  if (typeof text !== 'string' || !text.startsWith('Echo: '))
    throw new Error(`call ${id}: not an echo: ${JSON.stringify(message.result).slice(0, 200)}`);
  return message.result;
}

/** A lean Streamable HTTP client of `url` (one connection), initialized. */
async function connectStreamable(url) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  let nextId = 0;
  const post = (message) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify(message);
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        async (res) => {
          try {
            const text = await readBody(res);
            if (res.statusCode === 202) return resolve({ res, message: undefined });
            if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text}`);
            let answer;
            if (String(res.headers['content-type']).startsWith('text/event-stream')) {
              createSseReader((_event, data) => {
                const parsed = JSON.parse(data);
                if (parsed.id === message.id && !('method' in parsed)) answer = parsed;
              })(text);
            } else answer = JSON.parse(text);
            resolve({ res, message: answer });
          } catch (error) {
            reject(error);
          }
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const { res } = await post({
    jsonrpc: '2.0',
    id: ++nextId,
    method: 'initialize',
    params: INITIALIZE,
  });
  const session = res.headers['mcp-session-id'];
  if (session) headers['mcp-session-id'] = session;
  headers['mcp-protocol-version'] = LATEST_PROTOCOL_VERSION;
  await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return {
    async callTool(params) {
      const id = ++nextId;
      const { message } = await post({ jsonrpc: '2.0', id, method: 'tools/call', params });
      return checkEcho(message, id);
    },
    transport: {
      terminateSession: () =>
        session === undefined
          ? Promise.resolve()
          : new Promise((resolve) => {
              const req = request(
                {
                  host: target.hostname,
                  port: target.port,
                  path: target.pathname,
                  method: 'DELETE',
                  agent,
                  headers: { 'mcp-session-id': session },
                },
                (r) => r.resume().on('end', resolve),
              );
              req.on('error', resolve);
              req.end();
            }),
    },
    async close() {
      agent.destroy();
    },
  };
}

/** A lean 2024-11-05 HTTP+SSE client of `url` (the GET stream and one POST connection). */
async function connectSse(url) {
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const waiting = new Map();
  let endpoint;
  let stream;
  const ready = new Promise((resolve, reject) => {
    const get = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'GET' },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`GET ${url}: HTTP ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on(
          'data',
          createSseReader((event, data) => {
            if (event === 'endpoint') {
              endpoint = new URL(data, url);
              resolve();
              return;
            }
            const message = JSON.parse(data);
            waiting.get(message.id)?.(message);
            waiting.delete(message.id);
          }),
        );
      },
    );
    get.setHeader('accept', 'text/event-stream');
    get.on('error', reject);
    get.end();
    stream = get;
  });
  await ready;
  let nextId = 0;
  const send = (message) =>
    new Promise((resolve, reject) => {
      if (message.id !== undefined) waiting.set(message.id, resolve);
      const body = JSON.stringify(message);
      const req = request(
        {
          host: endpoint.hostname,
          port: endpoint.port,
          path: endpoint.pathname + endpoint.search,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume();
          if (res.statusCode >= 300) reject(new Error(`POST: HTTP ${res.statusCode}`));
          else if (message.id === undefined) resolve();
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await send({ jsonrpc: '2.0', id: ++nextId, method: 'initialize', params: INITIALIZE });
  await send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  return {
    async callTool(params) {
      const id = ++nextId;
      return checkEcho(await send({ jsonrpc: '2.0', id, method: 'tools/call', params }), id);
    },
    transport: {},
    async close() {
      stream.destroy();
      agent.destroy();
    },
  };
}

/** A lean client of `url` over `transport` (`streamableHttp` or `sse`), initialized. */
export function connectLean(url, transport = 'streamableHttp') {
  return transport === 'sse' ? connectSse(url) : connectStreamable(url);
}
