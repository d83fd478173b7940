import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sendControl } from './controlClient.js';
import { type ControlRequest, operatorOf } from './controlProtocol.js';
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
      expect(seen).toEqual([
        {
          action: 'disable',
          server: 'x',
          operator: 'ana',
          uid: process.getuid!(),
          pid: process.pid,
        },
      ]);
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

  it('reads a request and a long reply whole however they are cut, and refuses a request over 1 MiB', async () => {
    const path = join(dir, 'cut.sock');
    // A status reply over several reads, with characters of two, three and four bytes.
    const note = 'é€😀'.repeat(40_000);
    const server = await listenControl(path, async (request) => ({
      ok: true,
      state: { operator: request.operator, note },
    }));
    try {
      expect(await sendControl(path, { action: 'status', operator: 'Zoë 😀' })).toEqual({
        ok: true,
        state: { operator: 'Zoë 😀', note },
      });
      // The same request written in two pieces, cut inside the ë.
      const replies = await new Promise<string>((resolve, reject) => {
        const socket = createConnection(path);
        const line = Buffer.from(`${JSON.stringify({ action: 'status', operator: 'Zoë' })}\n`);
        const cut = line.indexOf(Buffer.from('ë')) + 1;
        let got = '';
        socket.on('data', (chunk) => {
          got += chunk;
          if (got.split('\n').length > 2) {
            socket.destroy();
            resolve(got);
          }
        });
        socket.once('error', reject);
        socket.once('connect', () => {
          socket.write(line.subarray(0, cut));
          setTimeout(() => {
            socket.write(line.subarray(cut));
            socket.write(`${JSON.stringify({ action: 'x'.repeat(1024 * 1024) })}\n`);
          }, 20);
        });
      });
      const [first, second] = replies.split('\n').map((l) => (l ? JSON.parse(l) : undefined));
      expect(first.state.operator).toBe('Zoë');
      expect(second).toEqual({ ok: false, error: 'a request longer than 1048576 bytes' });
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

  it('keeps the socket 0600 in a 0700 folder whatever the umask, and makes an existing folder of ours 0700', async () => {
    // The regression: with umask 002 the socket was 0775 and its new folder 0775, so any user
    // of the group could reset, disable and enable servers.
    const fresh = join(dir, 'fresh', 'deeper');
    const existing = join(dir, 'existing');
    mkdirSync(existing);
    chmodSync(existing, 0o775);
    const previous = process.umask(0o002);
    let servers: Awaited<ReturnType<typeof listenControl>>[] = [];
    try {
      servers = [
        await listenControl(join(fresh, 'm.sock'), async () => ({ ok: true })),
        await listenControl(join(existing, 'm.sock'), async () => ({ ok: true })),
      ];
    } finally {
      process.umask(previous);
    }
    try {
      for (const folder of [fresh, existing]) {
        expect(statSync(folder).mode & 0o777).toBe(0o700);
        expect(statSync(join(folder, 'm.sock')).mode & 0o777).toBe(0o600);
      }
    } finally {
      for (const server of servers) await server.close();
    }
  });

  it("refuses a folder that is another user's, or shared like /tmp, and leaves its mode alone", async () => {
    const uid = process.getuid!();
    let foreign = '/';
    if (uid === 0) {
      foreign = mkdtempSync(join(dir, 'foreign-'));
      chownSync(foreign, 4242, 4242);
    }
    const before = statSync(foreign).mode;
    await expect(
      listenControl(join(foreign, 'm.sock'), async () => ({ ok: true })),
    ).rejects.toMatchObject({
      code: 'CONTROL_FOLDER_UNSAFE',
      message: expect.stringMatching(
        /belongs to another user .*choose a socket path in a folder of your own with --control PATH$/,
      ),
    });
    expect(statSync(foreign).mode).toBe(before);
    if (uid !== 0) return;
    const shared = mkdtempSync(join(dir, 'shared-'));
    chmodSync(shared, 0o1777);
    await expect(
      listenControl(join(shared, 'm.sock'), async () => ({ ok: true })),
    ).rejects.toMatchObject({
      code: 'CONTROL_FOLDER_UNSAFE',
      message: expect.stringContaining('is shared (sticky, like /tmp)'),
    });
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
  });

  it('hands the handler the uid the caller process has, and refuses a malformed uid or pid', async () => {
    const seen: ControlRequest[] = [];
    const path = join(dir, 'd.sock');
    const server = await listenControl(path, async (request) => {
      seen.push(request);
      return { ok: true };
    });
    try {
      // The pid is this process's, so the server's own look at it wins over the claimed uid.
      await sendControl(path, { action: 'reset', server: 'x', uid: 4242 });
      expect(seen).toEqual([
        { action: 'reset', server: 'x', uid: process.getuid!(), pid: process.pid },
      ]);
      expect(await sendControl(path, { action: 'reset', server: 'x', uid: -1 })).toMatchObject({
        ok: false,
        error: '"uid": expected a user id (an integer >= 0), found -1',
      });
    } finally {
      await server.close();
    }
  });

  it('names the operator by the name given, else by the caller uid and pid', () => {
    expect(operatorOf({ action: 'reset', server: 'x', operator: 'ana', uid: 1000, pid: 7 })).toBe(
      'ana',
    );
    expect(operatorOf({ action: 'reset', server: 'x', uid: 1000, pid: 4242 })).toBe(
      'uid 1000 (pid 4242)',
    );
    expect(operatorOf({ action: 'reset', server: 'x', pid: 4242 })).toBe('uid unknown (pid 4242)');
    expect(operatorOf({ action: 'reset', server: 'x' })).toBe('operator');
  });
});
