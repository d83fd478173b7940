import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addSignal,
  decayEvidence,
  emptyEvidence,
  GOOD_SIGNALS,
  TRUST_SIGNALS,
  type TrustEvidence,
  trustScore,
  trustScoreDefaults,
  trustStep,
} from './trustScore.js';

const signal = fc.constantFrom(...TRUST_SIGNALS);
const history = fc.array(fc.tuple(signal, fc.integer({ min: 0, max: 600_000 })), {
  maxLength: 60,
});
const options = fc.record({
  neutral: fc.double({ min: 0, max: 1, noNaN: true }),
  priorWeight: fc.double({ min: 0.01, max: 100, noNaN: true }),
  halfLifeMs: fc.integer({ min: 1, max: 3_600_000 }),
  weights: fc.constant(trustScoreDefaults.weights),
});

/** Folds signals, each `gap` ms after the one before. */
function fold(steps: [string, number][], o = trustScoreDefaults): TrustEvidence {
  let e = emptyEvidence(0);
  let t = 0;
  for (const [s, gap] of steps) {
    t += gap;
    e = addSignal(e, s as never, t, o);
  }
  return e;
}

describe('trustScore', () => {
  it('is neutral with no record', () => {
    expect(trustScore(emptyEvidence(0))).toBe(0.5);
  });

  it('stays in [0, 1] for any record and any options', () => {
    fc.assert(
      fc.property(history, options, (steps, o) => {
        const s = trustScore(fold(steps, o), o);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('is monotone in each input: one more good signal never lowers it, one more bad never raises it', () => {
    fc.assert(
      fc.property(history, signal, fc.integer({ min: 0, max: 600_000 }), (steps, extra, gap) => {
        const before = fold(steps);
        const now = before.at + gap;
        const without = trustScore(decayEvidence(before, now));
        const withIt = trustScore(addSignal(before, extra, now));
        if (GOOD_SIGNALS.has(extra)) expect(withIt).toBeGreaterThanOrEqual(without);
        else expect(withIt).toBeLessThanOrEqual(without);
      }),
    );
  });

  it('is monotone in violations: an answer that breaks the protocol never scores above one that does not, whatever came before and after', () => {
    // The gateway records a violating answer as protocol_violation instead of call_ok (RFC 0017),
    // so monotone must hold for the swap, not only for one more signal.
    fc.assert(
      fc.property(history, history, fc.integer({ min: 0, max: 600_000 }), (before, after, gap) => {
        const answered = fold([...before, ['call_ok', gap], ...after]);
        const violated = fold([...before, ['protocol_violation', gap], ...after]);
        expect(trustScore(violated)).toBeLessThanOrEqual(trustScore(answered));
        // Strictly lower right after it (later, decay may shrink the gap below a double's grain).
        const justAnswered = trustScore(fold([...before, ['call_ok', gap]]));
        const justViolated = trustScore(fold([...before, ['protocol_violation', gap]]));
        expect(justViolated).toBeLessThan(justAnswered);
      }),
    );
  });

  it('decays toward neutral and never past it when nothing happens', () => {
    fc.assert(
      fc.property(history, fc.integer({ min: 1, max: 3_600_000 }), (steps, wait) => {
        const e = fold(steps);
        const n = trustScoreDefaults.neutral;
        const now = trustScore(e) - n;
        const later = trustScore(decayEvidence(e, e.at + wait)) - n;
        expect(Math.abs(later)).toBeLessThanOrEqual(Math.abs(now) + 1e-12);
        expect(Math.sign(later) * Math.sign(now)).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it('halves the evidence every half-life, as documented', () => {
    const e = { good: 8, bad: 4, at: 0 };
    const h = trustScoreDefaults.halfLifeMs;
    expect(decayEvidence(e, h)).toEqual({ good: 4, bad: 2, at: h });
    // (4 * 0.5 + 8) / (4 + 12) = 0.625, then (2 + 4) / (4 + 6) = 0.6 one half-life later.
    expect(trustScore(e)).toBeCloseTo(0.625, 12);
    expect(trustScore(decayEvidence(e, h))).toBeCloseTo(0.6, 12);
    // Ten half-lives on, within 0.001 of neutral.
    expect(Math.abs(trustScore(decayEvidence(e, 10 * h)) - 0.5)).toBeLessThan(0.001);
  });

  it('a server failing 30% of its calls settles near 0.7, well below one that never fails', () => {
    let flaky = emptyEvidence(0);
    let steady = emptyEvidence(0);
    for (let i = 0; i < 200; i++) {
      flaky = addSignal(flaky, i % 10 < 3 ? 'call_failed' : 'call_ok', i * 100);
      steady = addSignal(steady, 'call_ok', i * 100);
    }
    expect(trustScore(flaky)).toBeGreaterThan(0.65);
    expect(trustScore(flaky)).toBeLessThan(0.72);
    expect(trustScore(steady)).toBeGreaterThan(0.98);
  });
});

describe('trustStep', () => {
  it('puts 1 in the last step and each step below it', () => {
    expect(trustStep(1, 0.05)).toBe(19);
    expect(trustStep(0.999, 0.05)).toBe(19);
    expect(trustStep(0, 0.05)).toBe(0);
    expect(trustStep(0.5, 0.05)).toBe(10);
  });
});
