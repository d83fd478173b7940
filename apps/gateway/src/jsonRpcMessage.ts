import { JSONRPCMessageSchema } from '@modelcontextprotocol/core';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';

/**
 * `item` as a JSON-RPC message, with the verdict of the SDK's `JSONRPCMessageSchema`: the two
 * shapes of every tools/call (a request, and a result response, neither with `_meta`) are
 * checked by hand and returned as they are; anything else goes through the schema. The schema
 * is a zod union that tries each member in turn (a response first fails as a request and as a
 * notification), which cost more per forwarded call than the gateway's own routing
 * (RFC 0006, "Measured"). A property test holds the two to the same verdict.
 * @throws the schema's ZodError when `item` is not a JSON-RPC message
 */
export function parseJsonRpcMessage(item: unknown): JSONRPCMessage {
  if (isPlainRequest(item) || isPlainResultResponse(item)) return item;
  return JSONRPCMessageSchema.parse(item);
}

/** `{jsonrpc: "2.0", id, method, params?}` and nothing else; `params` an object with no `_meta`. */
function isPlainRequest(item: unknown): item is JSONRPCMessage {
  if (!isRecord(item) || item.jsonrpc !== '2.0' || !isRequestId(item.id)) return false;
  if (typeof item.method !== 'string') return false;
  const keys = countKeys(item);
  if (!('params' in item)) return keys === 3;
  return keys === 4 && isRecord(item.params) && !('_meta' in item.params);
}

/** `{jsonrpc: "2.0", id, result}` and nothing else; `result` an object with no `_meta`. */
function isPlainResultResponse(item: unknown): item is JSONRPCMessage {
  if (!isRecord(item) || item.jsonrpc !== '2.0' || !isRequestId(item.id)) return false;
  return countKeys(item) === 3 && isRecord(item.result) && !('_meta' in item.result);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema's RequestId: a string or a safe integer. */
function isRequestId(value: unknown): boolean {
  return typeof value === 'string' || Number.isSafeInteger(value);
}

function countKeys(record: Record<string, unknown>): number {
  let count = 0;
  for (const key in record) if (Object.hasOwn(record, key)) count++;
  return count;
}
