import { createEventBus, createEventFactory } from '@selfheal/events';
import { systemClock } from '@selfheal/internal';
import { type CancelScope, createPolicyFromConfig, LinkedScope } from '@selfheal/resilience';
import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { GatewayError, GatewayErrorCode, toolErrorResult } from '../errors.js';
import { busEmitter, classifyGatewayError } from './serverPolicies.js';
import { executeToolCall, type ToolCallHost, upstreamSignal } from './toolCall.js';
import { traceContextOf } from './traceContext.js';
import type { UpstreamLink } from './upstreamLink.js';

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

/**
 * One tools/call of tool "t" on server "s", which answers `answer`; the trust guard hands back
 * `replace(answer)` (the answer itself when it passes). Returns the call's `call_completed`.
 */
async function callCompleted(
  answer: Record<string, unknown>,
  replace: (result: Record<string, unknown>) => Record<string, unknown> = (result) => result,
) {
  const events = createEventFactory({ clock: systemClock, repo: 'selfheal' });
  const bus = createEventBus({ events, clock: systemClock });
  const seen: SelfhealEvent[] = [];
  bus.events$.subscribe((e) => seen.push(e));
  const policy = createPolicyFromConfig(
    { serverName: 's', clock: systemClock, sink: () => {}, classify: classifyGatewayError },
    {},
  );
  const link = {
    name: 's',
    ensure: async () => ({}),
    forward: async () => answer,
    listedTool: () => undefined,
    toolAnnotations: () => undefined,
  } as unknown as UpstreamLink;
  const host: ToolCallHost = {
    policies: new Map([['s', policy]]),
    bus,
    events,
    clock: systemClock,
    emitter: busEmitter(() => {}, events),
    isDown: () => false,
    trust: {
      route: (targets) => [...targets],
      refusal: () => undefined,
      observeAttempt: () => {},
      observeAnswer: (_server, _tool, _listed, result) => replace(result),
      invalidMessage: () => {},
      filterTools: (_server, tools) => [...tools],
    },
  };
  await executeToolCall(host, {
    exposed: 't',
    params: { name: 't' },
    targets: [{ link, name: 't', exposed: 't', definition: link.listedTool('t') }],
    requestId: 1,
    options: {},
    trace: traceContextOf(undefined),
  });
  policy.dispose();
  return seen.find((e) => e.event_type === 'call_completed') as Record<string, unknown>;
}

describe('executeToolCall: call_completed.error_code of a tool error', () => {
  it('is not taken from an upstream’s own _meta["selfheal/error"]', async () => {
    const completed = await callCompleted({
      content: [{ type: 'text', text: 'no' }],
      isError: true,
      _meta: { 'selfheal/error': { code: `RANDOM_${'x'.repeat(10_000)}` } },
    });
    expect(completed).toMatchObject({ outcome: 'tool_error' });
    expect(completed).not.toHaveProperty('error_code');
  });

  it('is the code of a tool error the gateway put in place of the result', async () => {
    const withheld = toolErrorResult(
      new GatewayError(GatewayErrorCode.OutputSchemaViolation, 'result withheld'),
    );
    const completed = await callCompleted(
      { content: [], isError: true, _meta: { 'selfheal/error': { code: 'UPSTREAM_SAYS' } } },
      () => withheld,
    );
    expect(completed).toMatchObject({
      outcome: 'tool_error',
      error_code: GatewayErrorCode.OutputSchemaViolation,
    });
  });
});
