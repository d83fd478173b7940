import { spawn } from 'node:child_process';
import { Client } from '@modelcontextprotocol/client';
import { createStreamTransport } from '@selfheal/monitor';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { invalidMessageError, isInvalidMessage, reportInvalidMessages } from './invalidMessages.js';

// A stdio MCP server that writes a line that is not JSON-RPC before each answer to ping.
const CHATTY = `
let buf = '';
const out = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
process.stdin.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\n')) !== -1; ) {
    const m = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (m.method === 'initialize')
      out({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion,
        capabilities: {}, serverInfo: { name: 'chatty', version: '1' } } });
    else if (m.method === 'ping') { process.stdout.write('pinged\\n'); out({ jsonrpc: '2.0', id: m.id, result: {} }); }
  }
});
`;

const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('reportInvalidMessages', () => {
  it("reports each line that is not JSON-RPC once, and the client's own onerror still hears every error once", async () => {
    const child = spawn(process.execPath, ['-e', CHATTY], { stdio: ['pipe', 'pipe', 'inherit'] });
    const reported: Error[] = [];
    const heard: Error[] = [];
    const client = new Client({ name: 't', version: '1' });
    clients.push(client);
    client.onerror = (error) => heard.push(error);
    const transport = reportInvalidMessages(createStreamTransport(child.stdout, child.stdin), (e) =>
      reported.push(e),
    );
    await client.connect(transport);
    await client.ping();
    await client.ping();
    expect(reported.map((e) => e.message)).toEqual([
      expect.stringMatching(/^wrote a line to stdout that is not JSON \(.*"pinged".*\)/),
      expect.stringMatching(/^wrote a line to stdout that is not JSON/),
    ]);
    expect(heard).toEqual(reported);
    // Another error passes on to the client, unreported.
    transport.onerror?.(new Error('EPIPE'));
    expect(heard.map((e) => e.message).at(-1)).toBe('EPIPE');
    expect(reported).toHaveLength(2);
    child.kill();
  });

  it('knows the errors of the HTTP transports, and not others', () => {
    let syntax: unknown;
    try {
      JSON.parse('<html>');
    } catch (e) {
      syntax = e;
    }
    const error = invalidMessageError('an SSE event', syntax);
    expect(isInvalidMessage(error)).toBe(true);
    expect(error.message).toMatch(/^sent an SSE event that is not JSON \(Unexpected token/);
    expect(invalidMessageError('a JSON answer', new Error('zod')).message).toBe(
      'sent a JSON answer that is JSON, but not a JSON-RPC message',
    );
    expect(isInvalidMessage(new GatewayError(GatewayErrorCode.NoRoute, 'x'))).toBe(false);
    expect(isInvalidMessage(new Error('x'))).toBe(false);
  });
});
