import { describe, expect, it } from 'vitest';
import { classifyError, JsonRpcCode } from './classify.js';
import type { CallMeta } from './context.js';
import { ResilienceError, ResilienceErrorCode } from './errors.js';
import { httpError, rpcError, systemError } from './testing/harness.js';

const list: CallMeta = { method: 'tools/list' };
const write: CallMeta = { method: 'tools/call', tool: 'create_issue' };
const readOnly: CallMeta = {
  method: 'tools/call',
  tool: 'search',
  toolAnnotations: { readOnlyHint: true },
};
const idempotent: CallMeta = {
  method: 'tools/call',
  tool: 'put',
  toolAnnotations: { idempotentHint: true },
};
const verdict = (error: unknown, meta: CallMeta = list) => classifyError(error, meta, 0);

describe('classifyError', () => {
  it.each([
    ['invalid request', JsonRpcCode.InvalidRequest],
    ['method not found', JsonRpcCode.MethodNotFound],
    ['invalid params', JsonRpcCode.InvalidParams],
    ['parse error', JsonRpcCode.ParseError],
    ['an application code', -32002],
  ])('never retries JSON-RPC %s, and counts it as the server answering', (_name, code) => {
    for (const meta of [list, readOnly, idempotent]) {
      expect(verdict(rpcError(code), meta)).toMatchObject({ retryable: false, breaker: 'success' });
    }
  });

  it.each([
    ['request timeout -32001', rpcError(JsonRpcCode.RequestTimeout)],
    ['connection closed -32000', rpcError(JsonRpcCode.ConnectionClosed)],
    ['internal error -32603', rpcError(JsonRpcCode.InternalError)],
    ['HTTP 503', httpError(503)],
    ['HTTP 502 as a status field', Object.assign(new Error('bad gateway'), { status: 502 })],
    ['HTTP 408', httpError(408)],
    ['ECONNRESET', systemError('ECONNRESET')],
    ['our attempt timeout', new ResilienceError(ResilienceErrorCode.AttemptTimeout, 'slow')],
  ])('retries %s for safe calls only, and counts it as a failure', (_name, error) => {
    expect(verdict(error, list)).toMatchObject({ retryable: true, breaker: 'failure' });
    expect(verdict(error, readOnly)).toMatchObject({ retryable: true });
    expect(verdict(error, idempotent)).toMatchObject({ retryable: true });
    expect(verdict(error, write)).toMatchObject({ retryable: false, breaker: 'failure' });
    expect(verdict(error, write).reason).toContain('not idempotent');
  });

  it('retries a tools/call that provably never reached the server', () => {
    expect(verdict(systemError('ECONNREFUSED'), write)).toMatchObject({
      retryable: true,
      breaker: 'failure',
    });
    expect(verdict(httpError(503), { ...write, sent: false })).toMatchObject({ retryable: true });
    expect(verdict(Object.assign(systemError('ECONNRESET'), { sent: false }), write)).toMatchObject(
      { retryable: true },
    );
  });

  it('retries 429 with its Retry-After without blaming the upstream', () => {
    expect(verdict(httpError(429, { 'retry-after': '2' }))).toEqual({
      retryable: true,
      breaker: 'success',
      reason: 'HTTP 429',
      retryAfterMs: 2000,
    });
  });

  it('does not retry 501 or 4xx', () => {
    expect(verdict(httpError(501))).toMatchObject({ retryable: false, breaker: 'failure' });
    expect(verdict(httpError(404))).toMatchObject({ retryable: false, breaker: 'success' });
  });

  it('ignores aborts and its own rejections for the breaker', () => {
    for (const code of [
      ResilienceErrorCode.Aborted,
      ResilienceErrorCode.CallTimeout,
      ResilienceErrorCode.CircuitOpen,
      ResilienceErrorCode.BulkheadFull,
    ]) {
      expect(verdict(new ResilienceError(code, 'x'))).toMatchObject({
        retryable: false,
        breaker: 'ignore',
      });
    }
    expect(verdict(new DOMException('aborted', 'AbortError'))).toMatchObject({ breaker: 'ignore' });
  });

  it('treats an unknown error as a failure that is not retried', () => {
    expect(verdict(new Error('boom'))).toEqual({
      retryable: false,
      breaker: 'failure',
      source: 'call',
      reason: 'boom',
    });
    expect(verdict('thrown string')).toMatchObject({ retryable: false, breaker: 'failure' });
  });

  it('tells transport failures (the server’s) from the call’s own', () => {
    const source = (error: unknown) => verdict(error).source;
    expect(source(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('transport');
    expect(source(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe('transport');
    expect(source({ code: JsonRpcCode.ConnectionClosed, message: 'closed' })).toBe('transport');
    expect(source({ status: 503 })).toBe('transport');
    expect(source({ code: JsonRpcCode.RequestTimeout, message: 'timeout' })).toBe('call');
    expect(source({ code: JsonRpcCode.InternalError, message: 'bug' })).toBe('call');
    expect(source({ status: 500 })).toBe('call');
    expect(source(new ResilienceError(ResilienceErrorCode.AttemptTimeout, 'slow'))).toBe('call');
    expect(source(new Error('boom'))).toBe('call');
  });
});
