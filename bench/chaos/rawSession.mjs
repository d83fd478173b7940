// A Streamable HTTP MCP session spoken by hand (node:http), for what an SDK client cannot do:
// open the session's GET event stream and stop reading it at the socket.
import http from 'node:http';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';

/** POSTs one JSON-RPC message; resolves to {status, headers, body} (body read to the end). */
function post(url, message, headers = {}) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          body += chunk;
        });
        response.on('end', () =>
          resolve({ status: response.statusCode, headers: response.headers, body }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(JSON.stringify(message));
  });
}

/**
 * Opens a session on the MCP endpoint `url` (initialize, then notifications/initialized);
 * resolves to {call(name, args), openStalledStream(), close()}.
 */
export async function openRawSession(url) {
  const init = await post(url, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: LATEST_PROTOCOL_VERSION,
      capabilities: {},
      clientInfo: { name: 'chaos-never-reader', version: '1' },
    },
  });
  const sessionId = init.headers['mcp-session-id'];
  if (init.status !== 200 || typeof sessionId !== 'string')
    throw new Error(
      `initialize at ${url} answered ${init.status} without a session: ${init.body.slice(0, 200)}`,
    );
  const headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': LATEST_PROTOCOL_VERSION };
  await post(url, { jsonrpc: '2.0', method: 'notifications/initialized' }, headers);
  let nextId = 2;
  const sockets = [];
  return {
    sessionId,
    /** tools/call; resolves to the response body (JSON or SSE text). */
    async call(name, args) {
      const answer = await post(
        url,
        { jsonrpc: '2.0', id: nextId++, method: 'tools/call', params: { name, arguments: args } },
        headers,
      );
      if (answer.status !== 200)
        throw new Error(
          `tools/call ${name} answered ${answer.status}: ${answer.body.slice(0, 200)}`,
        );
      return answer.body;
    },
    /**
     * Opens the session's GET event stream and pauses its socket as soon as the headers are in:
     * nothing more is read from it. Resolves to the response status.
     */
    openStalledStream() {
      return new Promise((resolve, reject) => {
        const request = http.request(url, {
          method: 'GET',
          agent: false,
          headers: { accept: 'text/event-stream', ...headers },
        });
        request.on('response', (response) => {
          response.socket.pause();
          sockets.push(response.socket);
          resolve(response.statusCode);
        });
        request.on('error', reject);
        request.end();
      });
    },
    close() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
