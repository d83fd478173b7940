import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { StreamableHttpStatusError } from '../upstream/nodeStreamableHttpClient.js';
import { isConnectionLoss, replayVerdict } from './replay.js';

const closed = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
const write = { method: 'tools/call', tool: 'save' };
const read = { method: 'tools/call', tool: 'get', toolAnnotations: { readOnlyHint: true } };

describe('replayVerdict', () => {
  it('replays a read-only or idempotent call whose connection closed, never a plain one', () => {
    expect(replayVerdict(closed, read).replay).toBe(true);
    expect(
      replayVerdict(closed, { ...write, toolAnnotations: { idempotentHint: true } }).replay,
    ).toBe(true);
    expect(replayVerdict(closed, write)).toEqual({
      replay: false,
      reason:
        'the tool is not annotated read-only or idempotent, so it may have run (JSON-RPC -32000)',
    });
  });

  it('replays any request the server answered 404 for: it did not know the session', () => {
    expect(replayVerdict(new StreamableHTTPError(404, 'Session not found'), write).replay).toBe(
      true,
    );
    // The gateway's own node:http transport says the same with its own error.
    expect(
      replayVerdict(new StreamableHttpStatusError(404, 'Session not found'), write).replay,
    ).toBe(true);
    expect(replayVerdict(new StreamableHttpStatusError(500, 'boom'), write).replay).toBe(false);
    expect(replayVerdict(new StreamableHTTPError(400, 'Bad Request'), read)).toMatchObject({
      replay: false,
      reason: 'the retry rules do not allow it (HTTP 400)',
    });
  });

  it('knows a 404 from the gateway’s own node:http transport too (it has its own error class)', () => {
    expect(replayVerdict(new StreamableHttpStatusError(404, 'Session not found'), write)).toEqual({
      replay: true,
      reason: 'the server no longer knew the session (HTTP 404)',
    });
    expect(replayVerdict(new StreamableHttpStatusError(400, 'Bad Request'), write).replay).toBe(
      false,
    );
  });

  it('replays reads of other methods', () => {
    expect(replayVerdict(closed, { method: 'resources/read' }).replay).toBe(true);
  });
});

describe('isConnectionLoss', () => {
  it('is a broken session, not an answer from the server', () => {
    expect(isConnectionLoss(closed)).toBe(true);
    expect(isConnectionLoss(new TypeError('fetch failed'))).toBe(true);
    expect(isConnectionLoss(new McpError(ErrorCode.InvalidParams, 'bad'))).toBe(false);
  });
});
