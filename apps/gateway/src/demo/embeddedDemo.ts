import { type ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServerConfig } from '@selfheal/schemas';
import { DEMO_SERVER_CWD, demoConfig } from '../config/demoConfig.js';
import { type LoadedConfig, resolveConfig } from '../config/loadConfig.js';

/** Starts a process; the seam tests replace. Same shape as `node:child_process` `spawn`. */
export type DemoSpawner = (
  command: string,
  args: readonly string[],
  options: { stdio: ['ignore', 'pipe', 'pipe'] },
) => ChildProcess;

/** Options of {@link startEmbeddedDemo}. */
export interface EmbeddedDemoOptions {
  /**
   * The `examples/` folder of a repository checkout; `null` runs without examples.
   * @default env `SELFHEAL_EXAMPLES_DIR`, else `examples/` next to this package in the checkout
   */
  examplesDir?: string | null;
  /** @default node:child_process spawn */
  spawn?: DemoSpawner;
  /** How long the HTTP example may take to print its URL line, ms. @default 15000 */
  startTimeoutMs?: number;
}

/** The running demo: its config, what to tell the user, and a stop for what it started. */
export interface EmbeddedDemo {
  config: LoadedConfig;
  /** One line each (no newline): where the examples came from, or why they are missing. */
  notes: string[];
  /** Stops the processes the demo started itself (the HTTP example). Idempotent. */
  stop(): Promise<void>;
}

const EXAMPLES_PACKAGE = '@selfheal/examples';

/**
 * The `examples/` folder of the repository this package was built in, if it holds the built
 * examples; undefined when installed from npm (the examples are not published).
 */
export function findExamplesDir(
  candidate: string | undefined = process.env.SELFHEAL_EXAMPLES_DIR ??
    fileURLToPath(new URL('../../../../examples/', import.meta.url)),
): string | undefined {
  if (candidate === undefined) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(candidate, 'package.json'), 'utf8')) as {
      name?: string;
    };
    if (pkg.name !== EXAMPLES_PACKAGE) return undefined;
  } catch {
    return undefined;
  }
  return existsSync(join(candidate, 'dist', 'healthyServer.js')) ? candidate : undefined;
}

/**
 * Starts the embedded demo of `selfheal start` without a config: the npm servers of
 * {@link demoConfig} plus, from a repository checkout, the examples: `healthy` (Streamable HTTP,
 * started here on a free port, then connected to by URL), `slow` (stdio, answers after 300 ms)
 * and `crashing` (stdio, exits every 20 s: the gateway shows it go down and come back). Never
 * rejects: a missing or failing example is left out and said in `notes`.
 */
export async function startEmbeddedDemo(options: EmbeddedDemoOptions = {}): Promise<EmbeddedDemo> {
  const base = demoConfig();
  const dir = options.examplesDir === null ? undefined : findExamplesDir(options.examplesDir);
  if (dir === undefined)
    return {
      config: base,
      notes: ['examples: not found (installed from npm?); the demo runs the npm servers only'],
      stop: async () => {},
    };
  const node = process.execPath;
  const stdioExample = (file: string, env: Record<string, string>): ServerConfig => ({
    command: node,
    args: [join(dir, 'servers', file)],
    env,
    cwd: DEMO_SERVER_CWD,
  });
  const servers: Record<string, ServerConfig> = {};
  const notes = [`examples: ${dir}`];
  const spawn = options.spawn ?? (nodeSpawn as DemoSpawner);
  let child: ChildProcess | undefined;
  try {
    child = spawn(node, [join(dir, 'dist', 'healthyServer.js'), '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await readUrlLine(child, options.startTimeoutMs ?? 15_000);
    servers.healthy = { url };
    notes.push(`example healthy (Streamable HTTP) started at ${url}`);
  } catch (error) {
    child?.kill('SIGTERM');
    child = undefined;
    notes.push(`example healthy left out: ${(error as Error).message}`);
  }
  servers.slow = stdioExample('slow.js', { SLOW_MS: '300' });
  servers.crashing = stdioExample('crashing.js', { CRASH_AFTER_MS: '20000' });
  const document = {
    ...base.document,
    mcpServers: { ...base.document.mcpServers, ...servers },
  };
  let stopping: Promise<void> | undefined;
  return {
    config: resolveConfig(document, base.source, base.baseDir),
    notes,
    stop: () => {
      stopping ??= stopChild(child);
      return stopping;
    },
  };
}

/** Resolves with `url` from the child's first stdout line `{"url": ...}`. */
function readUrlLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let stderr = '';
    const done = (error?: Error, url?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('close', onExit);
      child.off('error', onError);
      if (error) reject(error);
      else resolve(url!);
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const newline = seen.indexOf('\n');
      if (newline < 0) return;
      const line = seen.slice(0, newline);
      try {
        const { url } = JSON.parse(line) as { url?: unknown };
        if (typeof url === 'string') return done(undefined, url);
      } catch {}
      done(new Error(`expected a JSON line {"url": ...} on its stdout, found "${line}"`));
    };
    const onExit = (code: number | null) =>
      done(new Error(`it exited (code ${code}) before printing its URL: ${stderr.trim()}`));
    const onError = (error: Error) => done(new Error(`cannot start it: ${error.message}`));
    // A timer outside any clock seam: this is process supervision at start-up, not logic.
    const timer = setTimeout(
      () => done(new Error(`no URL line within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-500);
    });
    child.stdout?.on('data', onData);
    child.once('close', onExit);
    child.once('error', onError);
  });
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
