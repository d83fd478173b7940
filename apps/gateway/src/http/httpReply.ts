import type { ServerResponse } from 'node:http';
import { jsonRpcErrorBody } from './jsonRpcBody.js';

/**
 * Writes a whole response, unless its headers are already sent (a stream that failed midway
 * keeps what it wrote: a second head would throw).
 */
export function sendReply(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers = {},
): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(body);
}

/** A JSON-RPC error with no id (the request could not be read or routed) and its HTTP status. */
export function sendRpcError(res: ServerResponse, status: number, code: number, message: string) {
  sendReply(res, status, 'application/json', jsonRpcErrorBody(code, message));
}
