import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/selfheal.js', import.meta.url));

/** A `selfheal` child process whose output the test reads as it comes. */
export interface CliProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  stdout(): string;
  stderr(): string;
  /**
   * Resolves with the match once `stream`'s output so far matches `pattern`; rejects if the
   * process exits first or `timeoutMs` passes (a deadline for a hung test, not a pass condition).
   */
  until(
    pattern: RegExp,
    stream?: 'stdout' | 'stderr',
    timeoutMs?: number,
  ): Promise<RegExpExecArray>;
}

/** Starts `selfheal ...args` in `cwd`; `kill()` it (or let it exit) before the test ends. */
export function startCli(
  args: string[],
  cwd: string,
  stdin: 'ignore' | 'pipe' = 'ignore',
): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: [stdin, 'pipe', 'pipe'], cwd });
  const text = { stdout: '', stderr: '' };
  child.stdout!.on('data', (chunk) => {
    text.stdout += chunk;
  });
  child.stderr!.on('data', (chunk) => {
    text.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return {
    child,
    exited,
    stdout: () => text.stdout,
    stderr: () => text.stderr,
    until(pattern, stream = 'stdout', timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const source = child[stream]!;
        const check = () => {
          const match = pattern.exec(text[stream]);
          if (!match) return false;
          done();
          resolve(match);
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `no ${pattern} on ${stream} within ${timeoutMs} ms:\n${text.stdout}\n${text.stderr}`,
            ),
          );
        }, timeoutMs);
        const onData = () => check();
        const done = () => {
          clearTimeout(timer);
          source.off('data', onData);
        };
        // After the listener that appends (registered first), so the text is up to date.
        source.on('data', onData);
        if (check()) return;
        exited.then(() => {
          if (!check()) {
            done();
            reject(
              new Error(`exited before ${pattern} on ${stream}:\n${text.stdout}\n${text.stderr}`),
            );
          }
        });
      });
    },
  };
}
