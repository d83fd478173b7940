import type { CliIO } from '../io.js';
import { ExitCode } from '../io.js';

/**
 * `selfheal start`. The gateway itself is not built yet; until it is, this says so plainly
 * and exits 0 rather than pretending to serve.
 */
export async function runStart(_argv: string[], io: CliIO): Promise<number> {
  io.stdout(
    'selfheal start: the gateway is not implemented yet in this version.\n' +
      'What works today: `selfheal validate --schema NAME FILE` (see `selfheal --help`).\n',
  );
  return ExitCode.Ok;
}
