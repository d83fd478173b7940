import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendControl } from './controlClient.js';
import type { ControlRequest } from './controlProtocol.js';
import { listenControl } from './controlServer.js';

const dir = mkdtempSync(join(tmpdir(), 'sh-ctl-'));

describe('control socket', () => {
  it('carries a request to the handler and its reply back', async () => {
    const seen: ControlRequest[] = [];
    const path = join(dir, 'a.sock');
    const server = await listenControl(path, async (request) => {
      seen.push(request);
      return { ok: true, state: { lifecycle: 'disabled' } };
    });
    try {
      expect(await sendControl(path, { action: 'disable', server: 'x', operator: 'ana' })).toEqual({
        ok: true,
        state: { lifecycle: 'disabled' },
      });
      expect(seen).toEqual([{ action: 'disable', server: 'x', operator: 'ana' }]);
    } finally {
      await server.close();
    }
  });

  it('answers a bad request with the reason, without calling the handler', async () => {
    const path = join(dir, 'b.sock');
    let called = false;
    const server = await listenControl(path, async () => {
      called = true;
      return { ok: true };
    });
    try {
      const reply = await sendControl(path, { action: 'explode' } as unknown as ControlRequest);
      expect(reply.ok).toBe(false);
      expect(reply.error).toContain('"action": expected one of reset, disable, enable, status');
      expect(await sendControl(path, { action: 'reset' })).toMatchObject({
        ok: false,
        error: '"server": expected a server name for "reset"',
      });
      expect(called).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('replaces a stale socket file, refuses a live one', async () => {
    const path = join(dir, 'c.sock');
    writeFileSync(path, '');
    const server = await listenControl(path, async () => ({ ok: true }));
    try {
      await expect(listenControl(path, async () => ({ ok: true }))).rejects.toMatchObject({
        code: 'CONTROL_IN_USE',
      });
    } finally {
      await server.close();
    }
  });

  it('says clearly when no monitor runs', async () => {
    await expect(sendControl(join(dir, 'none.sock'), { action: 'status' })).rejects.toMatchObject({
      code: 'CONTROL_UNREACHABLE',
      message: expect.stringContaining('no running monitor answers (ENOENT)'),
    });
  });
});
