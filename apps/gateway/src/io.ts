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

/** Resolves when `io.signal` aborts or, without one, on the process's SIGINT or SIGTERM. */
export function untilStopped(io: CliIO): Promise<void> {
  return new Promise((resolve) => {
    if (io.signal) {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
      return;
    }
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The process's own streams. */
export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Exit codes shared by every command: 0 success, 1 the input does not conform, 2 usage or I/O. */
export const ExitCode = { Ok: 0, Invalid: 1, Unusable: 2 } as const;
