import {
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
} from '@modelcontextprotocol/client';
import { describe, expect, it } from 'vitest';
import { StreamableHttpStatusError } from '../upstream/nodeStreamableHttpClient.js';
import { describeLoss, isConnectionLoss, resendVerdict, wasWritten } from './resend.js';

const closed = new SdkError(SdkErrorCode.ConnectionClosed, 'Connection closed');
const write = { method: 'tools/call', tool: 'save' };
const read = { method: 'tools/call', tool: 'get', toolAnnotations: { readOnlyHint: true } };

describe('resendVerdict', () => {
  it('resends a read-only or idempotent call whose connection closed, never a plain one', () => {
    expect(resendVerdict(closed, read).resend).toBe(true);
    expect(
      resendVerdict(closed, { ...write, toolAnnotations: { idempotentHint: true } }).resend,
    ).toBe(true);
    expect(resendVerdict(closed, write)).toEqual({
      resend: false,
      reason:
        'the tool is not annotated read-only or idempotent, so it may have run (JSON-RPC -32000)',
      mayHaveRun: true,
    });
  });

  it('resends any request the server answered 404 for: it did not know the session', () => {
    expect(
      resendVerdict(
        new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, 'Session not found', {
          status: 404,
        }),
        write,
      ).resend,
    ).toBe(true);
    // The gateway's own node:http transport says the same with its own error.
    expect(
      resendVerdict(new StreamableHttpStatusError(404, 'Session not found'), write).resend,
    ).toBe(true);
    expect(resendVerdict(new StreamableHttpStatusError(500, 'boom'), write).resend).toBe(false);
    expect(
      resendVerdict(
        new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, 'Bad Request', { status: 400 }),
        read,
      ),
    ).toMatchObject({
      resend: false,
      reason: 'the retry rules do not allow it (HTTP 400)',
    });
  });

  it('knows a 404 from the gateway’s own node:http transport too (it has its own error class)', () => {
    expect(resendVerdict(new StreamableHttpStatusError(404, 'Session not found'), write)).toEqual({
      resend: true,
      reason: 'the server no longer knew the session (HTTP 404)',
      mayHaveRun: false,
    });
    expect(resendVerdict(new StreamableHttpStatusError(400, 'Bad Request'), write).resend).toBe(
      false,
    );
  });

  it('resends reads of other methods', () => {
    expect(resendVerdict(closed, { method: 'resources/read' }).resend).toBe(true);
  });
});

describe('isConnectionLoss', () => {
  it('is a broken session, not an answer from the server', () => {
    expect(isConnectionLoss(closed)).toBe(true);
    expect(isConnectionLoss(new TypeError('fetch failed'))).toBe(true);
    expect(isConnectionLoss(new ProtocolError(ProtocolErrorCode.InvalidParams, 'bad'))).toBe(false);
  });
});

describe('wasWritten', () => {
  it('knows a request refused before writing: Not connected, Transport closed, sent: false', () => {
    expect(wasWritten(new Error('Not connected'))).toBe(false);
    expect(wasWritten(new Error('Not connected: the process stdin is closed'))).toBe(false);
    expect(wasWritten(new Error('Transport closed'))).toBe(false);
    expect(wasWritten(Object.assign(new Error('boom'), { sent: false }))).toBe(false);
    expect(wasWritten(new Error('wrapped', { cause: { code: 'ECONNREFUSED' } }))).toBe(false);
  });

  it('counts anything else as written, the closed connection above all', () => {
    expect(wasWritten(closed)).toBe(true);
    expect(wasWritten(Object.assign(new Error('Not connected'), { sent: true }))).toBe(true);
    expect(wasWritten(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(wasWritten(new Error('fetch failed'))).toBe(true);
  });
});

describe('regression: a write call that never left was reported may_have_run and not resent', () => {
  it('resends a non-idempotent call the SDK refused with Not connected, and says it never ran', () => {
    expect(resendVerdict(new Error('Not connected'), write)).toEqual({
      resend: true,
      reason: 'the request was never written (Not connected)',
      mayHaveRun: false,
    });
    expect(describeLoss(new Error('Not connected'))).toBe(
      'the request was never written: Not connected',
    );
  });

  it('still refuses a written non-idempotent call, as may have run', () => {
    expect(resendVerdict(closed, write)).toMatchObject({ resend: false, mayHaveRun: true });
  });
});
