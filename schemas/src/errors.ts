import { SelfhealError } from '@selfheal/internal';

/** Codes of the errors this package throws (validation failures are results, not errors). */
export enum SchemaErrorCode {
  UnknownSchema = 'UNKNOWN_SCHEMA',
  SchemaUnreadable = 'SCHEMA_UNREADABLE',
}

/** The one error class of `@selfheal/schemas`; `code` is stable, `message` is for people. */
export class SchemaError extends SelfhealError<SchemaErrorCode> {}
