import { SelfhealError } from '@selfheal/internal';

/** Codes of the errors `@selfheal/monitor` throws; stable, for programs to branch on. */
export enum MonitorErrorCode {
  /** An environment override (`SELFHEAL_*`) holds a value that is not allowed. */
  EnvInvalid = 'ENV_INVALID',
  /** A process could not be started. */
  SpawnFailed = 'SPAWN_FAILED',
  /** An operation needs a running process and there is none. */
  NotRunning = 'NOT_RUNNING',
  /** The supervisor was closed; it starts nothing any more. */
  Closed = 'CLOSED',
  /** A server added to a running monitor has the name of one it already watches. */
  AlreadyMonitored = 'ALREADY_MONITORED',
  /** Another monitor already listens on the control socket. */
  ControlInUse = 'CONTROL_IN_USE',
  /** The control socket's path is longer than the platform's socket addresses hold. */
  ControlPathTooLong = 'CONTROL_PATH_TOO_LONG',
  /** The control socket's folder is not this user's own (another user's, or a shared one). */
  ControlFolderUnsafe = 'CONTROL_FOLDER_UNSAFE',
  /** No monitor answers on the control socket. */
  ControlUnreachable = 'CONTROL_UNREACHABLE',
  /** An MCP session could not be opened. */
  SessionFailed = 'SESSION_FAILED',
  /** A stdio server wrote a line longer than the limit: its session is closed as lost. */
  LineTooLong = 'LINE_TOO_LONG',
  /**
   * A stdio server wrote a line that is not a JSON-RPC message (not JSON, or JSON of another
   * shape): the line is skipped and the session goes on.
   */
  InvalidMessage = 'INVALID_MESSAGE',
}

/** The one error class of `@selfheal/monitor`: `code` is stable, `message` is for people. */
export class MonitorError extends SelfhealError<MonitorErrorCode> {}

/**
 * The message of anything thrown, for event fields and logs (never a stack). A wrapper that
 * says nothing of the cause (undici's `fetch failed`, `terminated`) gives way to its cause's
 * message, where the socket's error is (`connect ECONNREFUSED 127.0.0.1:9`).
 */
export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // Node's connect to a name with two addresses (localhost) fails with one error per address.
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0)
    return [...new Set(error.errors.map(errorMessage))].join('; ');
  if (VAGUE_MESSAGES.has(error.message) && error.cause !== undefined && error.cause !== error)
    return errorMessage(error.cause);
  return error.message;
}

const VAGUE_MESSAGES = new Set(['fetch failed', 'terminated', 'other side closed']);
