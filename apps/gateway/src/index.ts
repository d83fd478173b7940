// The CLI entry point
export { main } from './cli.js';
export { type CliIO, ExitCode, processIO } from './io.js';
