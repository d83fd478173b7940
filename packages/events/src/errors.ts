import { SelfhealError } from '@selfheal/internal';

/** Codes of the errors this package throws. Bad lines in a log are results, not errors. */
export enum EventsErrorCode {
  /** An option is out of range or of the wrong type. */
  BadOption = 'BAD_OPTION',
  /** An event handed to a constructor or to the log breaks the event schema. */
  InvalidEvent = 'INVALID_EVENT',
  /** append() after close(). */
  LogClosed = 'LOG_CLOSED',
  /** The log file could not be opened, written or synced. */
  LogWriteFailed = 'LOG_WRITE_FAILED',
  /** A log file could not be read. */
  LogUnreadable = 'LOG_UNREADABLE',
  /** publish() after the bus was closed. */
  BusClosed = 'BUS_CLOSED',
}

/** The one error class of `@selfheal/events`; `code` is stable, `message` is for people. */
export class EventsError extends SelfhealError<EventsErrorCode> {}
