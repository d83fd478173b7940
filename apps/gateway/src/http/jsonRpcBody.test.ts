import { describe, expect, it } from 'vitest';
import { containsInitialize, parseJsonRpcBody } from './jsonRpcBody.js';

describe('parseJsonRpcBody', () => {
  it('accepts requests, notifications, responses and batches', () => {
    for (const body of [
      '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      '{"jsonrpc":"2.0","method":"notifications/initialized"}',
      '{"jsonrpc":"2.0","id":"a","result":{}}',
      '{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"x"}}',
      '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"n"}]',
    ])
      expect(parseJsonRpcBody(body)).toMatchObject({ ok: true });
  });

  it.each([
    ['{', -32700, 'Parse error'],
    ['null', -32600, 'the message is not a JSON object'],
    ['[]', -32600, 'an empty batch'],
    ['{"id":1,"method":"ping"}', -32600, 'lacks "jsonrpc": "2.0"'],
    ['{"jsonrpc":"2.0","id":{},"method":"ping"}', -32600, '"id" that is neither'],
    ['{"jsonrpc":"2.0","id":1,"method":"x","params":3}', -32600, '"params" that are not'],
    ['[{"jsonrpc":"2.0","method":"n"}, 5]', -32600, 'batch item 1 is not a JSON object'],
    ['{"jsonrpc":"2.0","id":1}', -32600, 'neither a request'],
  ])('refuses %s with %i', (body, code, message) => {
    const result = parseJsonRpcBody(body);
    expect(result).toMatchObject({ ok: false, status: 400, code });
    expect(result.ok === false && result.message).toContain(message);
  });

  it('finds an initialize request, alone or in a batch', () => {
    expect(containsInitialize({ method: 'initialize' })).toBe(true);
    expect(containsInitialize([{ method: 'ping' }, { method: 'initialize' }])).toBe(true);
    expect(containsInitialize({ method: 'ping' })).toBe(false);
  });
});
