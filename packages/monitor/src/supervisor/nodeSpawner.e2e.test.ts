import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createNodeSpawner } from './nodeSpawner.js';
import { createProcessSupervisor } from './processSupervisor.js';

const node = process.execPath;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `condition` holds; the deadline is generous, the outcome is what is asserted. */
async function eventually(condition: () => boolean, deadlineMs = 10_000): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('createNodeSpawner (real processes)', () => {
  it('reports the server pid, and its exit code', async () => {
    const spawner = createNodeSpawner();
    const p = spawner.spawn({
      command: node,
      args: ['-e', 'setTimeout(() => process.exit(3), 50)'],
      env: {},
    });
    await p.ready;
    expect(p.pid).toBeGreaterThan(0);
    expect(await p.exited).toEqual({ code: 3, signal: null });
  });

  it('reports a command that does not exist as a start failure', async () => {
    const spawner = createNodeSpawner();
    const p = spawner.spawn({ command: 'no-such-command-selfheal', args: [], env: {} });
    await expect(p.ready).rejects.toThrow(/ENOENT/);
    expect((await p.exited).error).toMatch(/ENOENT/);
  });

  it('SIGKILLs a server that ignores SIGTERM, and everything it started', async () => {
    const spawner = createNodeSpawner();
    const supervisor = createProcessSupervisor({
      spawner,
      stopGraceMs: 200,
      spec: {
        command: node,
        args: [
          '-e',
          `process.on('SIGTERM', () => {});
           const c = require('node:child_process').spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
           console.error('grandchild ' + c.pid);
           setInterval(() => {}, 1000);`,
        ],
        env: {},
      },
    });
    let stderr = '';
    const p = await supervisor.start();
    p.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    await eventually(() => /grandchild \d+/.test(stderr));
    const grandchild = Number(/grandchild (\d+)/.exec(stderr)![1]);
    expect(alive(grandchild)).toBe(true);
    expect(await supervisor.stop()).toMatchObject({ signal: 'SIGKILL' });
    // The server may linger a moment as a zombie until its new parent reaps it.
    expect(await eventually(() => !alive(p.pid!))).toBe(true);
    expect(await eventually(() => !alive(grandchild))).toBe(true);
  });

  it('children die with the monitor even when the monitor is SIGKILLed', async () => {
    const [server] = await underKilledMonitor([
      process.execPath,
      '-e',
      'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)',
    ]);
    expect(await eventually(() => !alive(server!))).toBe(true);
  });

  it('a grandchild started through sh -c dies with a SIGKILLed monitor, stdin close ignored', async () => {
    // The regression: a server under a wrapper (npx, sh -c) that ignores stdin's end-of-file
    // was left running with PPID 1 when the gateway was SIGKILLed.
    const [shell, grandchild] = await underKilledMonitor([
      '/bin/sh',
      '-c',
      `${node} -e 'process.stdin.resume(); process.stdin.on("end", () => {}); setInterval(() => {}, 1000); console.error("grandchild " + process.pid)' & wait`,
    ]);
    expect(await eventually(() => !alive(shell!))).toBe(true);
    expect(await eventually(() => !alive(grandchild!))).toBe(true);
  });
});

/**
 * Runs a monitor stand-in that spawns `command` through the real spawner (with a 200 ms reaper
 * grace), SIGKILLs the stand-in once the server (and any "grandchild N" it reports on stderr)
 * runs, and returns those pids. It runs the built package (`pnpm test` builds first): plain
 * node cannot load .ts here.
 */
async function underKilledMonitor([command, ...args]: string[]): Promise<number[]> {
  const dist = new URL('../../dist/supervisor/', import.meta.url).href;
  const script = `
    const { createNodeSpawner } = await import(${JSON.stringify(`${dist}nodeSpawner.js`)});
    const { createProcessReaper } = await import(${JSON.stringify(`${dist}processReaper.js`)});
    const p = createNodeSpawner({
      reaper: createProcessReaper({ graceMs: 200 }),
      onStderr: (c) => process.stdout.write(c),
    }).spawn({ command: ${JSON.stringify(command)}, args: ${JSON.stringify(args)}, env: {} });
    await p.ready;
    console.log('server ' + p.pid);
    setInterval(() => {}, 1000);`;
  const monitor = spawn(node, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const wantGrandchild = args.join(' ').includes('grandchild');
  await new Promise<void>((resolve, reject) => {
    monitor.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (/server \d+/.test(out) && (!wantGrandchild || /grandchild \d+/.test(out))) resolve();
    });
    monitor.once('exit', (code) => reject(new Error(`monitor exited early (${code}): ${out}`)));
  });
  const pids = [/server (\d+)/, /grandchild (\d+)/]
    .map((re) => re.exec(out)?.[1])
    .filter((pid) => pid !== undefined)
    .map(Number);
  for (const pid of pids) expect(alive(pid)).toBe(true);
  monitor.kill('SIGKILL');
  return pids;
}
