import type { Implementation } from '@modelcontextprotocol/server';
import { WireErrorCode } from '../errors.js';
import { META, resultTypeOf, StatelessErrorCode } from './envelope.js';
import type { RoundOutcome } from './inputRounds.js';
import type { StatelessReply } from './statelessGateway.js';

/** Methods whose results a client may cache (`ttlMs`, `cacheScope`). */
const CACHEABLE = new Set([
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
]);

/**
 * A result as a stateless client gets it: its `resultType`, cache hints on a cacheable
 * method's final result (`ttlMs` 0 and `cacheScope` private unless the server set them), and
 * the gateway as `serverInfo` in `_meta`.
 */
export function decorateResult(
  method: string,
  result: Record<string, unknown>,
  serverInfo: Implementation,
): Record<string, unknown> {
  const meta = (result._meta ?? {}) as Record<string, unknown>;
  const resultType = resultTypeOf(result);
  return {
    ...result,
    resultType,
    ...(CACHEABLE.has(method) &&
      resultType !== 'input_required' && {
        ttlMs: result.ttlMs ?? 0,
        cacheScope: result.cacheScope ?? 'private',
      }),
    _meta: { ...meta, [META.serverInfo]: serverInfo },
  };
}

/** The reply to one round of a call that may ask for input (see `InputCall.next`). */
export function roundReply(
  method: string,
  outcome: RoundOutcome,
  serverInfo: Implementation,
): StatelessReply {
  if (outcome.kind === 'done')
    return { status: 200, result: decorateResult(method, outcome.result, serverInfo) };
  if (outcome.kind === 'failed') return errorReply(outcome.error);
  return {
    status: 200,
    result: {
      resultType: 'input_required',
      inputRequests: outcome.inputRequests,
      requestState: outcome.requestState,
      _meta: { [META.serverInfo]: serverInfo },
    },
  };
}

/** A JSON-RPC error reply with its HTTP status. */
export function problem(
  status: number,
  code: number,
  message: string,
  data?: unknown,
): StatelessReply {
  return { status, error: { code, message, ...(data === undefined ? {} : { data }) } };
}

/** An error the router rejected with, as the client gets it (in-band, HTTP 200). */
export function errorReply(error: unknown): StatelessReply {
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  let code = typeof e?.code === 'number' ? e.code : WireErrorCode.InternalError;
  // 2026-07-28 says resource not found with -32602 (and data.uri); 2025-11-25 said -32002.
  if (code === -32002) code = -32602;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return problem(HTTP_400.has(code) ? 400 : 200, code, message, e?.data);
}

/** The revision's errors that go with HTTP 400, whoever raised them (the gateway or upstream). */
const HTTP_400 = new Set<number>([
  StatelessErrorCode.HeaderMismatch,
  StatelessErrorCode.MissingRequiredClientCapability,
  StatelessErrorCode.UnsupportedProtocolVersion,
]);
