import { WireErrorCode } from '../errors.js';

/** A POST body that is not JSON-RPC: the HTTP status and the JSON-RPC error to answer with. */
export interface JsonRpcBodyProblem {
  status: number;
  code: number;
  message: string;
}

/**
 * Parses a POSTed body as JSON-RPC 2.0: one message or a non-empty batch, each an object with
 * `jsonrpc: "2.0"` and a `method` (request, notification) or an `id` with `result`/`error`
 * (a response to a server request). Never throws.
 */
export function parseJsonRpcBody(
  text: string,
): { ok: true; body: unknown } | ({ ok: false } & JsonRpcBodyProblem) {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      status: 400,
      code: WireErrorCode.ParseError,
      message: `Parse error: the body is not JSON (${(error as Error).message})`,
    };
  }
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0)
    return {
      ok: false,
      status: 400,
      code: WireErrorCode.InvalidRequest,
      message: 'Invalid Request: an empty batch',
    };
  for (const [index, message] of messages.entries()) {
    const where = Array.isArray(body) ? `batch item ${index}` : 'the message';
    const problem = messageProblem(message);
    if (problem)
      return {
        ok: false,
        status: 400,
        code: WireErrorCode.InvalidRequest,
        message: `Invalid Request: ${where} ${problem}`,
      };
  }
  return { ok: true, body };
}

function messageProblem(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message))
    return 'is not a JSON object';
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== '2.0') return 'lacks "jsonrpc": "2.0"';
  if ('method' in m) {
    if (typeof m.method !== 'string' || m.method === '')
      return 'has a "method" that is not a string';
    if ('id' in m && typeof m.id !== 'string' && typeof m.id !== 'number')
      return 'has an "id" that is neither a string nor a number';
    if ('params' in m && (typeof m.params !== 'object' || m.params === null))
      return 'has "params" that are not an object or array';
    return undefined;
  }
  if ('id' in m && ('result' in m || 'error' in m)) return undefined;
  return 'is neither a request, a notification nor a response';
}

/** The body of a JSON-RPC error reply with no request id (the request could not be read). */
export function jsonRpcErrorBody(code: number, message: string, id: unknown = null): string {
  return JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
}

/** True when a parsed body is (or is a batch holding) an `initialize` request. */
export function containsInitialize(body: unknown): boolean {
  const messages = Array.isArray(body) ? body : [body];
  return messages.some(
    (m) =>
      typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'initialize',
  );
}
