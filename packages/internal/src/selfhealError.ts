/** What a {@link SelfhealError} carries beside its code and message. */
export interface SelfhealErrorOptions {
  /** The error that caused this one (kept as the standard `Error.cause`). */
  cause?: unknown;
  /** Details for programs: the file, JSON pointer, server name, issues, ... */
  data?: unknown;
}

/**
 * The base of each package's one error class: `code` is stable, for programs to branch on;
 * `message` is for people. A package declares its enum of string codes and
 * `class XError extends SelfhealError<XErrorCode> {}`; `name` is the subclass's name.
 */
export class SelfhealError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly data: unknown;

  constructor(code: Code, message: string, options: SelfhealErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.data = options.data;
  }
}
