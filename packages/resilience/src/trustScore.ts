/**
 * Trust scores (RFC 0017): a server's score in [0, 1] from its recent record, as a Beta-style
 * estimate over decayed evidence. Good and bad evidence are weighted sums of signals, each
 * halved every `halfLifeMs`; a prior of `priorWeight` at `neutral` keeps a new or quiet server at
 * `neutral`:
 *
 *     score = (priorWeight * neutral + good) / (priorWeight + good + bad)
 *
 * So the score is bounded by [0, 1], rises with good evidence, falls with bad, and with no new
 * signal moves back toward `neutral` (never past it) as the evidence decays.
 */

/** What a server did that moves its score. */
export type TrustSignal =
  /** A call answered. */
  | 'call_ok'
  /** A call failed (an error, a timeout, a lost connection). */
  | 'call_failed'
  /** A call answered, but slower than `latencyFactor` times the server's own baseline. */
  | 'slow_call'
  /** A health check passed. */
  | 'check_ok'
  /** A health check failed. */
  | 'check_failed'
  /** The server went down. */
  | 'incident'
  /** The server recovered. */
  | 'recovery'
  /** A result that breaks its tool's outputSchema. */
  | 'protocol_violation'
  /**
   * A message that is not JSON-RPC (a stray line on a stdio server's stdout, a body that does
   * not parse): lighter than a broken result, since servers that log to stdout are common and
   * their calls still succeed.
   */
  | 'invalid_message'
  /** A tool's definition changed after it was pinned. */
  | 'definition_changed';

/** Every {@link TrustSignal}. */
export const TRUST_SIGNALS: readonly TrustSignal[] = [
  'call_ok',
  'call_failed',
  'slow_call',
  'check_ok',
  'check_failed',
  'incident',
  'recovery',
  'protocol_violation',
  'invalid_message',
  'definition_changed',
];

/** Signals that count as good evidence; the others count as bad. */
export const GOOD_SIGNALS: ReadonlySet<TrustSignal> = new Set(['call_ok', 'check_ok', 'recovery']);

/** How scores are computed; `trust` in the config, every field with its default. */
export interface TrustScoreOptions {
  /** Where a server with no record stands, in [0, 1]. @default 0.5 */
  neutral: number;
  /** Weight of the prior at `neutral`, > 0: how much evidence it takes to move. @default 4 */
  priorWeight: number;
  /** Evidence halves every this many ms. @default 300000 */
  halfLifeMs: number;
  /** Evidence weight of each signal, >= 0. */
  weights: Readonly<Record<TrustSignal, number>>;
}

/** The defaults of {@link TrustScoreOptions}. */
export const trustScoreDefaults: TrustScoreOptions = Object.freeze({
  neutral: 0.5,
  priorWeight: 4,
  halfLifeMs: 300_000,
  weights: Object.freeze({
    call_ok: 1,
    call_failed: 1,
    slow_call: 0.5,
    check_ok: 0.25,
    check_failed: 1,
    incident: 3,
    recovery: 1,
    protocol_violation: 5,
    invalid_message: 0.5,
    definition_changed: 5,
  }),
});

/** A server's decayed evidence at time `at` (epoch ms). */
export interface TrustEvidence {
  readonly good: number;
  readonly bad: number;
  readonly at: number;
}

/** No evidence yet, at `at`. */
export function emptyEvidence(at: number): TrustEvidence {
  return { good: 0, bad: 0, at };
}

/** `evidence` decayed to `now` (never forward from a `now` before `at`). */
export function decayEvidence(
  evidence: TrustEvidence,
  now: number,
  options: Pick<TrustScoreOptions, 'halfLifeMs'> = trustScoreDefaults,
): TrustEvidence {
  const dt = now - evidence.at;
  if (dt <= 0) return evidence;
  const factor = 2 ** (-dt / options.halfLifeMs);
  return { good: evidence.good * factor, bad: evidence.bad * factor, at: now };
}

/** `evidence` decayed to `now`, with `count` occurrences of `signal` added. */
export function addSignal(
  evidence: TrustEvidence,
  signal: TrustSignal,
  now: number,
  options: TrustScoreOptions = trustScoreDefaults,
  count = 1,
): TrustEvidence {
  const decayed = decayEvidence(evidence, now, options);
  const weight = options.weights[signal] * count;
  return GOOD_SIGNALS.has(signal)
    ? { ...decayed, good: decayed.good + weight }
    : { ...decayed, bad: decayed.bad + weight };
}

/** The score of `evidence` (decayed to `now` when given), in [0, 1]. */
export function trustScore(
  evidence: Pick<TrustEvidence, 'good' | 'bad'>,
  options: Pick<TrustScoreOptions, 'neutral' | 'priorWeight'> = trustScoreDefaults,
): number {
  const { good, bad } = evidence;
  const score = (options.priorWeight * options.neutral + good) / (options.priorWeight + good + bad);
  return Math.min(1, Math.max(0, score));
}

/**
 * The step a score is in: `floor(score / step)` (1 is in the last step). A `trust_changed`
 * event goes out each time a server's step changes, so the log holds every move of at least
 * `step` without one line per call.
 */
export function trustStep(score: number, step: number): number {
  return Math.min(Math.floor(score / step), Math.ceil(1 / step) - 1);
}
