import type { EventInput, KnownEventType, ServerTrust } from '@selfheal/events';
import {
  addSignal,
  decayEvidence,
  emptyEvidence,
  GOOD_SIGNALS,
  type TrustEvidence,
  type TrustSignal,
  trustScore,
  trustStep,
} from '@selfheal/resilience';
import type { ServerReleased } from '@selfheal/schemas';
import type { TrustSettings } from './trustSettings.js';

/** What a {@link TrustTracker} reads and where it writes. */
export interface TrustTrackerHost {
  now(): number;
  settings(server: string): TrustSettings;
  /** The server's projected trust (the last `trust_changed`, the quarantine). */
  server(name: string): ServerTrust | undefined;
  publish<T extends KnownEventType>(type: T, fields: EventInput<T>): void;
}

/**
 * The live side of trust scores (RFC 0017): each server's decayed evidence, its latency
 * baseline and its probation, in memory. It turns signals into `trust_changed` (one per step
 * entered), `server_quarantined` and `server_released` events; what routing and every view read
 * is the projection of those events, so a replay of the log shows the same scores.
 */
export interface TrustTracker {
  /** Records one signal of `server` now. */
  signal(server: string, signal: TrustSignal): void;
  /** Records one answered call and its latency: `call_ok`, or `slow_call` past the baseline. */
  answered(server: string, latencyMs: number): void;
  /** A health check of `server` finished: a signal, and a step of its probation if quarantined. */
  checked(server: string, ok: boolean): void;
  /** Ends a quarantine now (an operator); false when the server was not quarantined. */
  release(server: string, operator: Record<string, unknown>): boolean;
  /** The live score (not yet stepped) of `server`, for tests and status. */
  liveScore(server: string): number;
  /**
   * The bad share of the server's live record, `bad / (prior_weight + good + bad)` in [0, 1):
   * what routing compares, so a busy fallback's many answers do not outrank a primary that did
   * nothing wrong.
   */
  distrust(server: string): number;
}

/**
 * Bad evidence (decayed weight: three failed calls, or one incident) below which routing sees no
 * distrust at all (RFC 0017).
 */
export const ROUTING_MIN_BAD = 3;

/** Calls seen before a latency baseline is trusted; the baseline's EWMA weight. */
const BASELINE_WARMUP = 5;
const BASELINE_ALPHA = 0.1;

/** Creates a {@link TrustTracker}. */
export function createTrustTracker(host: TrustTrackerHost): TrustTracker {
  const evidence = new Map<string, TrustEvidence>();
  const baseline = new Map<string, { mean: number; n: number }>();
  const probation = new Map<string, number>();
  /** The record as of the server's last good signal, and as of the last one before its outage. */
  const lastGood = new Map<string, TrustEvidence>();
  const beforeOutage = new Map<string, TrustEvidence>();

  const reported = (server: string, s: TrustSettings) =>
    host.server(server)?.score ?? s.score.neutral;

  const settle = (server: string, signal: string, s: TrustSettings, e: TrustEvidence) => {
    const score = round(trustScore(e, s.score));
    const previous = reported(server, s);
    if (trustStep(score, s.step) !== trustStep(previous, s.step))
      host.publish('trust_changed', { server_name: server, score, previous, signal });
    const now = reported(server, s);
    if (s.quarantineBelow > 0 && now < s.quarantineBelow && !host.server(server)?.quarantined) {
      probation.set(server, 0);
      host.publish('server_quarantined', {
        server_name: server,
        score: now,
        threshold: s.quarantineBelow,
        reason: signal,
      });
    }
  };

  const signal = (server: string, kind: TrustSignal) => {
    const s = host.settings(server);
    if (!s.enabled) return;
    const now = host.now();
    let e = evidence.get(server) ?? emptyEvidence(now);
    if (kind === 'incident' && !beforeOutage.has(server))
      beforeOutage.set(server, lastGood.get(server) ?? emptyEvidence(now));
    if (kind === 'recovery') {
      // A recovery forgives the outage: what went bad since the server's last good answer
      // before it (the failures that led to it, the incident, failed checks and calls) is
      // dropped, as RFC 0008 gives a recovered server its traffic back.
      const at = beforeOutage.get(server);
      beforeOutage.delete(server);
      if (at !== undefined) {
        const then = decayEvidence(at, now, s.score);
        const current = decayEvidence(e, now, s.score);
        e = { ...current, bad: Math.min(current.bad, then.bad) };
      }
    }
    e = addSignal(e, kind, now, s.score);
    evidence.set(server, e);
    if (GOOD_SIGNALS.has(kind)) lastGood.set(server, e);
    settle(server, kind, s, e);
  };

  const release = (server: string, fields: Omit<ServerReleased, 'event_type' | 'server_name'>) => {
    if (!host.server(server)?.quarantined) return false;
    const s = host.settings(server);
    probation.delete(server);
    // Evidence starts again from neutral: the record that caused the quarantine is spent.
    const fresh = emptyEvidence(host.now());
    evidence.set(server, fresh);
    host.publish('server_released', { server_name: server, ...fields });
    const score = round(trustScore(fresh, s.score));
    const previous = reported(server, s);
    if (score !== previous)
      host.publish('trust_changed', { server_name: server, score, previous, signal: 'released' });
    return true;
  };

  return {
    signal,
    answered(server, latencyMs) {
      const s = host.settings(server);
      const b = baseline.get(server) ?? { mean: latencyMs, n: 0 };
      const slow = b.n >= BASELINE_WARMUP && latencyMs > s.latencyFactor * Math.max(b.mean, 1);
      const mean = b.n === 0 ? latencyMs : b.mean + BASELINE_ALPHA * (latencyMs - b.mean);
      baseline.set(server, { mean, n: b.n + 1 });
      signal(server, slow ? 'slow_call' : 'call_ok');
    },
    checked(server, ok) {
      signal(server, ok ? 'check_ok' : 'check_failed');
      if (!host.server(server)?.quarantined) return;
      const count = ok ? (probation.get(server) ?? 0) + 1 : 0;
      probation.set(server, count);
      if (count >= host.settings(server).probationChecks)
        release(server, { by: 'probation', checks: count });
    },
    release: (server, operator) => release(server, { by: 'operator', ...operator }),
    distrust(server) {
      const s = host.settings(server);
      const e = decayEvidence(
        evidence.get(server) ?? emptyEvidence(host.now()),
        host.now(),
        s.score,
      );
      // One timeout or error is the breaker's and the fallback chain's business: the order of a
      // chain moves only on a record, not on a single bad answer.
      if (e.bad < ROUTING_MIN_BAD) return 0;
      return e.bad / (s.score.priorWeight + e.good + e.bad);
    },
    liveScore(server) {
      const s = host.settings(server);
      return trustScore(evidence.get(server) ?? emptyEvidence(host.now()), s.score);
    },
  };
}

/** Scores go in the log with 4 decimals (a replay reads exactly what routing used). */
function round(score: number): number {
  return Math.round(score * 10_000) / 10_000;
}
