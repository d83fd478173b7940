import { describe, expect, it } from 'vitest';
import { isSlowFor, judgedOutcome } from './breakerJudging.js';
import type { Verdict } from './classify.js';

const toolCall = { method: 'tools/call', tool: 'search' };
const listing = { method: 'tools/list' };
const failure = (source?: 'transport' | 'call'): Verdict => ({
  retryable: true,
  breaker: 'failure',
  reason: 'x',
  ...(source ? { source } : {}),
});

describe('judgedOutcome', () => {
  it("gives a tool's failure to the tool's breaker and a transport failure to the server's", () => {
    expect(judgedOutcome(failure('call'), toolCall, 'tool')).toBe('failure');
    expect(judgedOutcome(failure('transport'), toolCall, 'tool')).toBe('ignore');
    expect(judgedOutcome(failure('call'), toolCall, 'server')).toBe('ignore');
    expect(judgedOutcome(failure('transport'), toolCall, 'server')).toBe('failure');
  });

  it("counts every failure of a call that names no tool against the server's breaker", () => {
    expect(judgedOutcome(failure('call'), listing, 'server')).toBe('failure');
  });

  it('leaves successes, ignored outcomes, unsourced failures and `all` as the verdict says', () => {
    expect(judgedOutcome(failure('call'), toolCall, 'all')).toBe('failure');
    expect(judgedOutcome(failure(), toolCall, 'tool')).toBe('failure');
    expect(
      judgedOutcome({ retryable: false, breaker: 'ignore', reason: 'x' }, toolCall, 'server'),
    ).toBe('ignore');
  });
});

describe('isSlowFor', () => {
  it("is slow past the limit, except a tool's call for the server's breaker", () => {
    expect(isSlowFor(101, toolCall, 100, 'tool')).toBe(true);
    expect(isSlowFor(100, toolCall, 100, 'tool')).toBe(false);
    expect(isSlowFor(101, toolCall, 100, 'server')).toBe(false);
    expect(isSlowFor(101, listing, 100, 'server')).toBe(true);
  });
});
