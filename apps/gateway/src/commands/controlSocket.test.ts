import { chmodSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { sendControl } from '@selfheal/monitor';
import { describe, expect, it } from 'vitest';
import { GatewayErrorCode } from '../errors.js';
import { controlCommand, defaultControlPath, openGatewayControl } from './controlSocket.js';

const handle = async () => ({ ok: true, state: { answered: true } });

describe('openGatewayControl', () => {
  it('listens beside the config file by default, answers, and removes the socket on close', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-ctl-'));
    const control = await openGatewayControl({ configFile: join(dir, 'c.yaml'), handle });
    expect(control.path).toBe(join(dir, '.selfheal', 'c.yaml.sock'));
    expect(control.path).toBe(defaultControlPath(join(dir, 'c.yaml')));
    expect(await sendControl(control.path, { action: 'status' })).toEqual({
      ok: true,
      state: { answered: true },
    });
    await control.close();
    expect(existsSync(control.path)).toBe(false);
  });

  it('keeps its socket 0600 in a 0700 folder under umask 002, beside the config and in the temp dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-ctl-'));
    const previous = process.umask(0o002);
    let controls: Awaited<ReturnType<typeof openGatewayControl>>[] = [];
    try {
      controls = [
        await openGatewayControl({ configFile: join(dir, 'c.yaml'), handle }),
        await openGatewayControl({ handle }),
      ];
    } finally {
      process.umask(previous);
    }
    try {
      for (const control of controls) {
        expect(statSync(dirname(control.path)).mode & 0o777).toBe(0o700);
        expect(statSync(control.path).mode & 0o777).toBe(0o600);
      }
    } finally {
      for (const control of controls) await control.close();
    }
  });

  it('refuses a socket in a shared (sticky) folder like /tmp, saying to use --control', async () => {
    const shared = mkdtempSync(join(tmpdir(), 'sh-ctl-shared-'));
    chmodSync(shared, 0o1777);
    await expect(
      openGatewayControl({ control: join(shared, 'gw.sock'), handle }),
    ).rejects.toMatchObject({
      code: GatewayErrorCode.ControlUnavailable,
      message: expect.stringMatching(/^cannot open the control socket .*--control PATH$/),
    });
  });

  it('without a config file uses a new folder under the temp dir, removed on close', async () => {
    const control = await openGatewayControl({ handle });
    expect(control.path.startsWith(tmpdir())).toBe(true);
    expect(existsSync(control.path)).toBe(true);
    await control.close();
    expect(existsSync(dirname(control.path))).toBe(false);
  });

  it('refuses a socket another one answers on, naming the path and --control', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-ctl-'));
    const path = join(dir, 'gw.sock');
    const first = await openGatewayControl({ control: path, configFile: 'ignored.yaml', handle });
    try {
      const second = openGatewayControl({ control: path, handle });
      await expect(second).rejects.toMatchObject({
        code: GatewayErrorCode.ControlUnavailable,
        message: expect.stringMatching(
          new RegExp(`^cannot open the control socket ${path}: another .*--control PATH$`),
        ),
      });
    } finally {
      await first.close();
    }
  });

  it('names an unusable path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-ctl-'));
    writeFileSync(join(dir, 'file'), '');
    const under = join(dir, 'file', 'gw.sock');
    await expect(openGatewayControl({ control: under, handle })).rejects.toMatchObject({
      code: GatewayErrorCode.ControlUnavailable,
      message: expect.stringMatching(
        new RegExp(
          `^cannot open the control socket ${under}: .+; choose another path with --control PATH$`,
        ),
      ),
    });
  });

  it('names a path too long for a socket once, and --control', async () => {
    const long = join(tmpdir(), 'y'.repeat(120), 'gw.sock');
    await expect(openGatewayControl({ control: long, handle })).rejects.toMatchObject({
      code: GatewayErrorCode.ControlUnavailable,
      message: expect.stringMatching(
        new RegExp(
          `^cannot open the control socket ${long}: a control socket path may be at most \\d+ bytes here, this one is \\d+; choose a shorter one \\(--control PATH\\)$`,
        ),
      ),
    });
  });
});

describe('controlCommand', () => {
  it('quotes what a shell would split', () => {
    expect(controlCommand('reset', 'crashing', '/tmp/a/monitor.sock')).toBe(
      'selfheal monitor reset crashing --control /tmp/a/monitor.sock',
    );
    expect(controlCommand('status', undefined, "/tmp/my dir/it's.sock")).toBe(
      `selfheal monitor status --control '/tmp/my dir/it'\\''s.sock'`,
    );
  });
});
