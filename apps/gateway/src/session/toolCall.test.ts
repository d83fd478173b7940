import { type CancelScope, LinkedScope } from '@selfheal/resilience';
import { describe, expect, it } from 'vitest';
import { upstreamSignal } from './toolCall.js';

/** A LinkedScope that counts reads of its (costly) AbortSignal. */
function countingScope() {
  const scope = new LinkedScope();
  let reads = 0;
  const counted: CancelScope & { reads: () => number; abort: (reason: unknown) => void } = {
    get aborted() {
      return scope.aborted;
    },
    get reason() {
      return scope.reason;
    },
    get signal() {
      reads++;
      return scope.signal;
    },
    onAbort: (listener) => scope.onAbort(listener),
    abort: (reason) => scope.abort(reason),
    reads: () => reads,
  };
  return counted;
}

describe('upstreamSignal', () => {
  it('aborts with the attempt’s reason (a timeout) without making the scope’s own signal', () => {
    const attempt = countingScope();
    const signal = upstreamSignal(attempt, new AbortController().signal);
    expect(signal.aborted).toBe(false);
    const timeout = new Error('attempt 1 timed out');
    attempt.abort(timeout);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(timeout);
    expect(attempt.reads()).toBe(0);
  });

  it('carries the client’s own reason when the client cancelled', () => {
    const attempt = countingScope();
    const caller = new AbortController();
    const signal = upstreamSignal(attempt, caller.signal);
    caller.abort('user pressed stop');
    // The policy aborts the attempt's scope with its own wrapper error when the caller aborts.
    attempt.abort(new Error('the call was cancelled'));
    expect(signal.reason).toBe('user pressed stop');
  });

  it('is aborted at once for a scope that already aborted', () => {
    const attempt = countingScope();
    attempt.abort('late');
    expect(upstreamSignal(attempt, new AbortController().signal).reason).toBe('late');
  });

  it('is the scope’s signal itself when there is no caller signal', () => {
    const attempt = countingScope();
    const signal = upstreamSignal(attempt, undefined);
    expect(attempt.reads()).toBe(1);
    attempt.abort('x');
    expect(signal.aborted).toBe(true);
  });
});
