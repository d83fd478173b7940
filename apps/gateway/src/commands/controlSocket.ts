import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import {
  type ControlAction,
  type ControlReply,
  type ControlRequest,
  errorMessage,
  listenControl,
  MonitorError,
  MonitorErrorCode,
} from '@selfheal/monitor';
import { GatewayError, GatewayErrorCode } from '../errors.js';

/**
 * Where the control socket of a monitor or gateway run on `configFile` listens unless
 * `--control` says otherwise: `.selfheal/<config file name>.sock` beside the config file
 * (`.selfheal/selfheal.yaml.sock`), so two configs in one folder run at once. `selfheal
 * monitor`, `selfheal start` and `selfheal stdio` share it, so the operator verbs given the
 * same `--config FILE` find either.
 */
export function defaultControlPath(configFile: string): string {
  const file = resolve(configFile);
  return join(dirname(file), '.selfheal', `${basename(file)}.sock`);
}

/**
 * The control socket a monitor or gateway uses: `--control PATH` when given, else the default
 * beside the config file; `undefined` with neither.
 */
export function controlPathFor(options: {
  control?: string | undefined;
  configFile?: string | undefined;
}): string | undefined {
  if (options.control !== undefined) return resolve(options.control);
  if (options.configFile !== undefined) return defaultControlPath(options.configFile);
  return undefined;
}

/** An open control socket of a running gateway. */
export interface GatewayControl {
  /** The socket's absolute path. */
  readonly path: string;
  /** The shell command that sends `action` (for `server`) to this socket. */
  command(action: ControlAction, server?: string): string;
  /** Stops listening, removes the socket file (and the per-run folder, if one was made). */
  close(): Promise<void>;
}

/** Options of {@link openGatewayControl}. */
export interface GatewayControlOptions {
  /** `--control PATH`, if given. */
  control?: string | undefined;
  /**
   * The config file the gateway runs on; without one (the embedded demo) and without
   * `control`, the socket goes in a new folder under the OS temp dir, removed on close.
   */
  configFile?: string | undefined;
  /** Answers each operator request (the gateway's `monitor.control`). */
  handle: (request: ControlRequest) => Promise<ControlReply>;
}

/**
 * Opens the gateway's control socket with `listenControl` of `@selfheal/monitor`: a stale
 * socket file is replaced, a live one is refused.
 * @throws GatewayError(CONTROL_UNAVAILABLE) naming the path and how to choose another.
 */
export async function openGatewayControl(options: GatewayControlOptions): Promise<GatewayControl> {
  let runDir: string | undefined;
  let path = controlPathFor(options);
  if (path === undefined) {
    runDir = await mkdtemp(join(tmpdir(), 'selfheal-'));
    path = join(runDir, 'control.sock');
  }
  try {
    const server = await listenControl(path, options.handle);
    return {
      path,
      command: (action, server) => controlCommand(action, server, path),
      async close() {
        await server.close();
        if (runDir !== undefined) await rm(runDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (runDir !== undefined) await rm(runDir, { recursive: true, force: true });
    const inUse = error instanceof MonitorError && error.code === MonitorErrorCode.ControlInUse;
    throw new GatewayError(
      GatewayErrorCode.ControlUnavailable,
      inUse
        ? `cannot open the control socket ${path}: another selfheal gateway or monitor answers there (one running on the same config?); stop it, or give this one its own socket with --control PATH`
        : `cannot open the control socket ${path}: ${reason(error, path)}`,
      { cause: error },
    );
  }
}

/** `selfheal monitor ACTION [SERVER] --control PATH`, the path quoted for a POSIX shell if needed. */
export function controlCommand(action: ControlAction, server: string | undefined, path: string) {
  return [
    'selfheal',
    'monitor',
    action,
    ...(server === undefined ? [] : [server]),
    '--control',
    path,
  ]
    .map(shellQuote)
    .join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Why, without the path the message already names, and what to do if it does not say. */
function reason(error: unknown, path: string): string {
  let message = errorMessage(error);
  if (message.startsWith(`${path}: `)) message = message.slice(path.length + 2);
  return message.includes('--control')
    ? message
    : `${message}; choose another path with --control PATH`;
}
