/** Codes of the errors this package throws (validation failures are results, not errors). */
export enum SchemaErrorCode {
  UnknownSchema = 'UNKNOWN_SCHEMA',
  SchemaUnreadable = 'SCHEMA_UNREADABLE',
}

/** The one error class of `@selfheal/schemas`; `code` is stable, `message` is for people. */
export class SchemaError extends Error {
  readonly code: SchemaErrorCode;
  readonly data: unknown;

  constructor(
    code: SchemaErrorCode,
    message: string,
    options: { cause?: unknown; data?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'SchemaError';
    this.code = code;
    this.data = options.data;
  }
}
