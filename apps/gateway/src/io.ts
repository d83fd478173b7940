/** Where a command writes: injected so tests can read what a user would see. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Ends long-running commands (`start`, `stdio`) when aborted. Without it they run until
   * SIGINT or SIGTERM.
   */
  signal?: AbortSignal;
}

/**
 * Resolves when `io.signal` aborts (with `stop`) or, without one, on the process's SIGINT or
 * SIGTERM (with its name).
 */
export function untilStopped(io: CliIO): Promise<string> {
  return new Promise((resolve) => {
    if (io.signal) {
      if (io.signal.aborted) resolve('stop');
      else io.signal.addEventListener('abort', () => resolve('stop'), { once: true });
      return;
    }
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(signal);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/**
 * A writer to `stream` that survives its reader going away: after the first error on it (EPIPE
 * when `selfheal start | head -1` has read its line, or any other), writes are dropped silently
 * instead of crashing the process with an unhandled 'error' event. Output is a side channel of
 * a running gateway, so losing its reader is no reason to stop serving.
 */
export function createSafeWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let broken = false;
  let listening = false;
  return (text) => {
    if (broken) return;
    if (!listening) {
      listening = true;
      stream.on('error', () => {
        broken = true;
      });
    }
    try {
      stream.write(text);
    } catch {
      broken = true; // a synchronous throw (write after destroy) means the same
    }
  };
}

let stdoutWriter: ((text: string) => void) | undefined;
let stderrWriter: ((text: string) => void) | undefined;

/** The process's own streams, through {@link createSafeWriter} (created on first use). */
export const processIO: CliIO = {
  stdout: (text) => {
    stdoutWriter ??= createSafeWriter(process.stdout);
    stdoutWriter(text);
  },
  stderr: (text) => {
    stderrWriter ??= createSafeWriter(process.stderr);
    stderrWriter(text);
  },
};

/** Exit codes shared by every command: 0 success, 1 the input does not conform, 2 usage or I/O. */
export const ExitCode = { Ok: 0, Invalid: 1, Unusable: 2 } as const;

/**
 * A command's arguments, or the exit code to return at once: a usage error prints the message
 * and `usage` on stderr (2), `--help` prints `usage` on stdout (0), or on stderr with
 * `helpTo: 'stderr'` (`selfheal stdio`, whose stdout is the MCP channel).
 */
export function parseCommand<T extends { values: { help?: boolean | undefined } }>(
  command: string,
  usage: string,
  argv: string[],
  io: CliIO,
  parse: (argv: string[]) => T,
  { helpTo = 'stdout' }: { helpTo?: 'stdout' | 'stderr' } = {},
): T | number {
  let parsed: T;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(`selfheal ${command}: ${(error as Error).message}\n\n${usage}`);
    return ExitCode.Unusable;
  }
  if (parsed.values.help) {
    io[helpTo](usage);
    return ExitCode.Ok;
  }
  return parsed;
}
