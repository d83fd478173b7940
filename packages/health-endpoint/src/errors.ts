import { SelfhealError } from '@selfheal/internal';

/** Codes of the errors `@selfheal/health-endpoint` throws. */
export enum HealthEndpointErrorCode {
  /** An option passed to a factory is out of range or malformed. */
  InvalidOption = 'INVALID_OPTION',
  /** The side-port health server could not listen (port taken, bad host). */
  ListenFailed = 'LISTEN_FAILED',
  /** `selfheal check`: the endpoint could not be reached (refused, DNS, TLS, reset). */
  Unreachable = 'UNREACHABLE',
  /** `selfheal check`: the endpoint did not answer within the timeout. */
  TimedOut = 'TIMED_OUT',
}

/** The one error class of this package; `code` is stable, `message` is for people. */
export class HealthEndpointError extends SelfhealError<HealthEndpointErrorCode> {}
