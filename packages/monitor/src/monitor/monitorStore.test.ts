import { createHealthProjector } from '@selfheal/events';
import { createFakeClock } from '@selfheal/internal/testing';
import { describe, expect, it } from 'vitest';
import { createCheckedLog } from '../testing/checkedLog.js';
import { createMonitorStore } from './monitorStore.js';

describe('createMonitorStore', () => {
  it('builds events without a schema check, applies them, publishes them', () => {
    const checked = createCheckedLog();
    const store = createMonitorStore({ clock: createFakeClock(), publish: checked.publish });
    const ok = store.emit({
      event_type: 'health_check_completed',
      server_name: 's',
      status: 'ok',
      response_time_ms: 3,
    });
    expect(ok).toMatchObject({ repo: 'selfheal', trace_id: ok.event_id });
    expect(store.view('s')).toMatchObject({ consecutive_successes: 1, last_check_status: 'ok' });
    // The hot path does not check: a bad draft goes through, and the tests' checked log is
    // what catches it.
    store.emit({
      event_type: 'health_check_completed',
      server_name: 's',
      status: 'ok',
      response_time_ms: -1,
    });
    expect(checked.events).toHaveLength(2);
    expect(checked.invalid).toEqual([expect.stringContaining('health_check_completed')]);
  });

  it('reads a projector its host folds, and folds nothing a second time', () => {
    const projector = createHealthProjector();
    const applied: string[] = [];
    const store = createMonitorStore({
      clock: createFakeClock(),
      projector,
      // The host's bus: every event it publishes, the store's and foreign ones, is folded here.
      publish: (event) => {
        applied.push(event.event_type);
        projector.apply(event);
      },
    });
    store.emit({ event_type: 'server_down', server_name: 's', error: 'gone' });
    store.emit({
      event_type: 'health_check_completed',
      server_name: 's',
      status: 'ok',
      response_time_ms: 3,
    });
    expect(applied).toEqual(['server_down', 'health_check_completed']);
    // Folded once: a second fold of the check would count two successes.
    expect(store.view('s')).toMatchObject({ status: 'down', consecutive_successes: 1 });
    // A foreign event (another replica's, say) that only the host's fold saw is in the view too.
    const foreign = createMonitorStore({ clock: createFakeClock(), publish: () => {} }).emit({
      event_type: 'server_recovered',
      server_name: 's',
    });
    projector.apply(foreign);
    expect(store.view('s')).toMatchObject({ status: 'ok' });
    expect(store.state().servers.s).toBe(projector.get('s'));
  });
});
