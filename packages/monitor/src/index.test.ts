import { describe, expect, it } from 'vitest';
import * as monitor from './index.js';

// In the other packages `systemClock` is a clock whose timers do not hold the process and
// `createBackoff` the resilience retry's jittered backoff; the monitor must not reuse those
// names for its own clock and recovery schedule (RFC 0021).
describe("the monitor's exports", () => {
  it('name its clock monitorClock and its schedule createRecoverySchedule, nothing else', () => {
    expect(monitor).not.toHaveProperty('systemClock');
    expect(monitor).not.toHaveProperty('createBackoff');
    expect(typeof monitor.monitorClock.setTimeout).toBe('function');
    expect(monitor.createRecoverySchedule()(1)).toBe(1000);
  });
});
