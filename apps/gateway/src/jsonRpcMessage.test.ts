import { JSONRPCMessageSchema } from '@modelcontextprotocol/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonRpcMessage } from './jsonRpcMessage.js';

/** The schema's own verdict: the parsed message, or 'invalid'. */
function schemaVerdict(item: unknown): unknown {
  const parsed = JSONRPCMessageSchema.safeParse(item);
  return parsed.success ? parsed.data : 'invalid';
}

function verdict(item: unknown): unknown {
  try {
    return parseJsonRpcMessage(item);
  } catch {
    return 'invalid';
  }
}

/** Objects of params/result: plain, with a valid or an invalid `_meta`, or not objects at all. */
const payload = fc.oneof(
  fc.dictionary(fc.constantFrom('name', 'arguments', 'content', 'isError'), fc.jsonValue()),
  fc.record({ _meta: fc.constantFrom({}, { progressToken: 1 }, { progressToken: {} }, null) }),
  fc.constantFrom([], null, 'text', 3),
);

const jsonrpc = fc.constantFrom('2.0', '2.0', '1.0', 2);
const id = fc.oneof(fc.integer(), fc.string(), fc.constantFrom(2 ** 53, -0, 1.5, null));
const method = fc.oneof(fc.constantFrom('tools/call', 'ping', ''), fc.integer());
const error = fc.oneof(fc.record({ code: fc.integer(), message: fc.string() }), fc.constant({}));

/** A request's and a response's shapes, with values mostly valid and near the edges otherwise. */
const request = fc.record(
  { jsonrpc, id, method, params: payload },
  { requiredKeys: ['jsonrpc', 'id', 'method'] },
);
const response = fc.record({ jsonrpc, id, result: payload });

/**
 * Those shapes, the same with one more key, and objects of any subset of JSON-RPC's keys (and
 * one stranger).
 */
const message = fc.oneof(
  request,
  response,
  fc
    .tuple(fc.oneof(request, response), fc.constantFrom('extra', 'error', 'method', 'result'))
    .map(([m, key]) => ({ ...m, [key]: 1 })),
  fc.record(
    { jsonrpc, id, method, params: payload, result: payload, error, extra: fc.constant(1) },
    { requiredKeys: [] },
  ),
);

describe('parseJsonRpcMessage', () => {
  it('agrees with JSONRPCMessageSchema on every message built from its keys', () => {
    fc.assert(
      fc.property(message, (item) => {
        expect(verdict(item)).toEqual(schemaVerdict(item));
      }),
      { numRuns: 1500 },
    );
  });

  it('agrees with the schema on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (item) => {
        expect(verdict(item)).toEqual(schemaVerdict(item));
      }),
      { numRuns: 500 },
    );
  });

  it('returns a plain tools/call request and its result response as they are', () => {
    const request = {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'ev__echo', arguments: { message: 'ping' } },
    };
    const response = { jsonrpc: '2.0', id: 7, result: { content: [{ type: 'text', text: 'x' }] } };
    expect(parseJsonRpcMessage(request)).toBe(request);
    expect(parseJsonRpcMessage(response)).toBe(response);
  });

  it('leaves what it does not check by hand to the schema: _meta, errors, notifications', () => {
    const withMeta = {
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 't', _meta: { progressToken: 'not-allowed-as-object', x: 1 } },
    };
    expect(parseJsonRpcMessage(withMeta)).not.toBe(withMeta);
    expect(parseJsonRpcMessage(withMeta)).toEqual(withMeta);
    // (SDK 1.x also refused a result whose `_meta.progressToken` is an object; 2.x's schema
    // leaves a result's `_meta` open, and so does this parser.)
    expect(() =>
      parseJsonRpcMessage({ jsonrpc: '2.0', id: 1, error: { code: 'x', message: 'm' } }),
    ).toThrow();
    expect(() => parseJsonRpcMessage({ jsonrpc: '2.0', id: 2 ** 53, method: 'ping' })).toThrow();
    expect(() => parseJsonRpcMessage({ jsonrpc: '2.0', id: 1, method: 'ping', x: 1 })).toThrow();
  });
});
