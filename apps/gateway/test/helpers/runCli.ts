import { main } from '../../src/cli.js';

/** Runs the `selfheal` CLI in-process with `argv`, capturing what it writes and its exit code. */
export async function runCli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}
