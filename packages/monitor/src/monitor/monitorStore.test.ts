import { describe, expect, it } from 'vitest';
import { createCheckedLog } from '../testing/checkedLog.js';
import { createFakeClock } from '../testing/fakeClock.js';
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
});
