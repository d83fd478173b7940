import { describe, expect, it } from 'vitest';
import { traceContextOf, withTraceparent } from './traceContext.js';

const bytes = (size: number) => 'ab'.repeat(size);

describe('traceContextOf', () => {
  it('keeps the client’s trace id and flags, with the gateway’s own span id', () => {
    const trace = traceContextOf(
      { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' },
      bytes,
    );
    expect(trace).toEqual({
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-abababababababab-00',
      fromClient: true,
    });
  });

  it.each([
    undefined,
    'garbage',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
  ])('starts a new sampled trace for %s', (traceparent) => {
    const trace = traceContextOf(traceparent === undefined ? undefined : { traceparent }, bytes);
    expect(trace.traceId).toBe('ab'.repeat(16));
    expect(trace.traceparent).toBe(`00-${'ab'.repeat(16)}-${'ab'.repeat(8)}-01`);
    expect(trace.fromClient).toBe(false);
  });
});

describe('withTraceparent', () => {
  it('sets _meta.traceparent and keeps the other _meta keys and params', () => {
    const trace = traceContextOf(undefined, bytes);
    expect(withTraceparent({ name: 't', _meta: { progressToken: 1 } }, trace)).toEqual({
      name: 't',
      _meta: { progressToken: 1, traceparent: trace.traceparent },
    });
  });
});
