import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExamplesDir, startEmbeddedDemo } from './embeddedDemo.js';

/** A folder shaped like the repository's examples/ (package.json + dist/healthyServer.js). */
function fakeExamples(name = '@selfheal/examples') {
  const dir = mkdtempSync(join(tmpdir(), 'selfheal-examples-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name }));
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'healthyServer.js'), '');
  return dir;
}

/** A spawner that runs `node -e script` whatever it is asked to start. */
const runScript =
  (script: string) =>
  (_command: string, _args: readonly string[], options: { stdio: ['ignore', 'pipe', 'pipe'] }) =>
    spawn(process.execPath, ['-e', script], options) as ChildProcess;

describe('findExamplesDir', () => {
  it('accepts a folder holding the built examples package, nothing else', () => {
    const dir = fakeExamples();
    expect(findExamplesDir(dir)).toBe(dir);
    expect(findExamplesDir(fakeExamples('someone-else'))).toBeUndefined();
    expect(findExamplesDir(join(dir, 'missing'))).toBeUndefined();
  });
});

describe('startEmbeddedDemo', () => {
  it('without examples runs the npm servers and says so in one line', async () => {
    const demo = await startEmbeddedDemo({ examplesDir: mkdtempSync(join(tmpdir(), 'empty-')) });
    expect(demo.config.upstreams.map((u) => u.name)).toEqual(['everything', 'memory']);
    expect(demo.notes).toEqual([
      'examples: not found (installed from npm?); the demo runs the npm servers only',
    ]);
    await demo.stop();
  });

  it('connects to the HTTP example at the URL it prints, adds the stdio examples, stops it', async () => {
    const dir = fakeExamples();
    // The SIGTERM handler goes first: on a loaded machine the stop may come right after the line.
    const script =
      'process.on("SIGTERM",()=>process.exit(0));setInterval(()=>{},1000);' +
      'console.log(JSON.stringify({url:"http://127.0.0.1:1/mcp",pid:process.pid}))';
    let child: ChildProcess | undefined;
    const demo = await startEmbeddedDemo({
      examplesDir: dir,
      spawn: (command, args, options) => {
        child = runScript(script)(command, args, options);
        return child;
      },
    });
    const byName = Object.fromEntries(demo.config.upstreams.map((u) => [u.name, u]));
    expect(Object.keys(byName)).toEqual(['everything', 'memory', 'healthy', 'slow', 'crashing']);
    expect(byName.healthy!.transport).toBe('streamable-http');
    expect(byName.healthy!.config.url).toBe('http://127.0.0.1:1/mcp');
    expect(byName.crashing!.config.args).toEqual([join(dir, 'servers', 'crashing.js')]);
    expect(demo.notes).toContain(
      'example healthy (Streamable HTTP) started at http://127.0.0.1:1/mcp',
    );
    const exited = new Promise((resolve) => child!.once('exit', (code) => resolve(code)));
    await demo.stop();
    expect(await exited).toBe(0);
  });

  it('leaves out an HTTP example that exits without a URL line, naming why', async () => {
    const demo = await startEmbeddedDemo({
      examplesDir: fakeExamples(),
      spawn: runScript('process.stderr.write("port in use");process.exit(3)'),
    });
    expect(demo.config.upstreams.map((u) => u.name)).not.toContain('healthy');
    expect(demo.notes.join('\n')).toContain(
      'example healthy left out: it exited (code 3) before printing its URL: port in use',
    );
  });

  it('leaves out an HTTP example whose first line is not the URL JSON', async () => {
    const demo = await startEmbeddedDemo({
      examplesDir: fakeExamples(),
      spawn: runScript('console.log("hello");setInterval(()=>{},1000)'),
    });
    expect(demo.notes.join('\n')).toContain(
      'example healthy left out: expected a JSON line {"url": ...} on its stdout, found "hello"',
    );
  });
});
