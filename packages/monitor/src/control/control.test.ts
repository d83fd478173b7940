import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendControl } from './controlClient.js';
import type { ControlRequest } from './controlProtocol.js';
import { listenControl } from './controlServer.js';
import { checkSocketPath, maxSocketPathBytes } from './socketPath.js';

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

  it('refuses a path longer than a socket address holds, instead of binding a cut one', async () => {
    const long = join(dir, 'x'.repeat(120), 'a.sock');
    await expect(listenControl(long, async () => ({ ok: true }))).rejects.toMatchObject({
      code: 'CONTROL_PATH_TOO_LONG',
      message: expect.stringMatching(
        /^\/.*a\.sock: a control socket path may be at most 10[37] bytes/,
      ),
    });
    expect(existsSync(join(dir, 'x'.repeat(120)))).toBe(false);
    await expect(sendControl(long, { action: 'status' })).rejects.toMatchObject({
      code: 'CONTROL_PATH_TOO_LONG',
    });
    expect(maxSocketPathBytes('linux')).toBe(107);
    expect(maxSocketPathBytes('darwin')).toBe(103);
    const fits = `/${'y'.repeat(106)}`;
    expect(() => checkSocketPath(fits, 'linux')).not.toThrow();
    expect(() => checkSocketPath(`${fits}y`, 'linux')).toThrow(
      /at most 107 bytes here, this one is 108/,
    );
  });
});
