import { describe, expect, it, vi } from 'vitest';
import { LinkedScope, NEVER_CANCELLED, scopeOf } from './cancelScope.js';
import { deriveContext, toContext } from './context.js';

describe('LinkedScope', () => {
  it('makes its AbortSignal only when read, already aborted if the scope is', () => {
    const scope = new LinkedScope();
    scope.abort('first');
    scope.abort('second');
    expect(scope.reason).toBe('first');
    expect(scope.signal.aborted).toBe(true);
    expect(scope.signal.reason).toBe('first');
  });

  it('aborts a signal read earlier, and tells each listener once', () => {
    const scope = new LinkedScope();
    const signal = scope.signal;
    const kept = vi.fn();
    const dropped = vi.fn();
    scope.onAbort(kept);
    scope.onAbort(dropped)();
    scope.abort('why');
    scope.abort('again');
    expect(signal.reason).toBe('why');
    expect(kept).toHaveBeenCalledTimes(1);
    expect(dropped).not.toHaveBeenCalled();
    expect(scope.onAbort(kept)).toBeTypeOf('function');
    expect(kept).toHaveBeenCalledTimes(1);
  });
});

describe('scopeOf', () => {
  it('follows a caller signal', () => {
    const controller = new AbortController();
    const scope = scopeOf(controller.signal);
    const listener = vi.fn();
    scope.onAbort(listener);
    controller.abort('gone');
    expect([scope.aborted, scope.reason, listener.mock.calls.length]).toEqual([true, 'gone', 1]);
    expect(scope.signal).toBe(controller.signal);
    expect(scopeOf(undefined)).toBe(NEVER_CANCELLED);
    expect(NEVER_CANCELLED.signal.aborted).toBe(false);
  });
});

describe('contexts', () => {
  it('derive keeps what is not changed, and the signal follows the scope', () => {
    const caller = new AbortController();
    const context = toContext({ signal: caller.signal, meta: { method: 'ping' }, traceId: 't' });
    expect(toContext(context)).toBe(context);
    const inner = new LinkedScope();
    const derived = deriveContext(context, { scope: inner, attempt: { number: 2 } });
    expect(derived).toMatchObject({
      meta: { method: 'ping' },
      traceId: 't',
      attempt: { number: 2 },
    });
    expect(derived.signal).toBe(inner.signal);
    expect(context.signal).toBe(caller.signal);
  });
});

describe('a spread context', () => {
  it('still carries a working signal', () => {
    const inner = new LinkedScope();
    const spread = { ...toContext({ meta: { method: 'ping' } }), scope: inner };
    // The spread made the caller's (never-aborting) signal; the scope is what policies follow.
    expect(spread.signal.aborted).toBe(false);
    expect(toContext(spread).signal).toBe(inner.signal);
  });
});
