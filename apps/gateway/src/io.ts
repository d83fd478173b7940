/** Where a command writes: injected so tests can read what a user would see. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The process's own streams. */
export const processIO: CliIO = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Exit codes shared by every command: 0 success, 1 the input does not conform, 2 usage or I/O. */
export const ExitCode = { Ok: 0, Invalid: 1, Unusable: 2 } as const;
