import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../test/helpers.js';
import { createEventFactory } from '../model/createEvent.js';
import { createSinkFailures } from './sinkFailures.js';

function setup() {
  const clock = createManualClock();
  const events = createEventFactory({ clock });
  const published: SelfhealEvent[] = [];
  const failures = createSinkFailures('disk', {
    events,
    clock,
    intervalMs: 1000,
    publish: (e) => void published.push(e),
  });
  const event = events.healthCheckCompleted({
    server_name: 's',
    status: 'ok',
    response_time_ms: 1,
  });
  return { clock, published, failures, event };
}

describe('createSinkFailures', () => {
  it('reports the first failure at once and counts the next ones into one report an interval later', () => {
    const { clock, published, failures, event } = setup();
    failures.fail(event, new Error('disk full'));
    expect(published.map((e) => e.failures)).toEqual([1]);
    failures.fail(event, new Error('disk full'));
    failures.drop(event, 10);
    clock.advance(999);
    expect(published).toHaveLength(1);
    clock.advance(1);
    expect(published).toHaveLength(2);
    expect(published[1]).toMatchObject({
      event_type: 'sink_failed',
      sink: 'disk',
      failures: 2,
      dropped: 1,
      error: 'buffer full (10 events): events dropped',
      failed_event_id: event.event_id,
    });
  });

  it('counts a failed sink_failed without reporting it, until reportNow', () => {
    const { published, failures, event } = setup();
    failures.fail(event, new Error('x'));
    failures.fail(published[0]!, new Error('y'));
    expect(published).toHaveLength(1);
    failures.reportNow();
    expect(published).toHaveLength(2);
    expect(published[1]).toMatchObject({ failures: 1, error: 'y' });
  });
});
