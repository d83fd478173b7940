import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HEALTH_STATUSES, httpStatusFor, isHealthStatus, overallStatus } from './status.js';

const status = fc.constantFrom(...HEALTH_STATUSES);

describe('overallStatus (the W3 rule)', () => {
  it('is ok with no components, and for all ok', () => {
    expect(overallStatus([])).toBe('ok');
    expect(overallStatus(['ok', 'ok'])).toBe('ok');
  });

  it('is down when any component is down, else degraded when any is degraded', () => {
    expect(overallStatus(['ok', 'degraded', 'down'])).toBe('down');
    expect(overallStatus(['ok', 'degraded', 'ok'])).toBe('degraded');
  });

  it('matches the rule for any list, in any order', () => {
    fc.assert(
      fc.property(fc.array(status), (list) => {
        const expected = list.includes('down')
          ? 'down'
          : list.includes('degraded')
            ? 'degraded'
            : 'ok';
        expect(overallStatus(list)).toBe(expected);
        expect(overallStatus([...list].reverse())).toBe(expected);
      }),
    );
  });
});

describe('httpStatusFor', () => {
  it('is 200 for ok and degraded, 503 for down', () => {
    expect(HEALTH_STATUSES.map(httpStatusFor)).toEqual([200, 200, 503]);
  });
});

describe('isHealthStatus', () => {
  it('accepts exactly the three statuses', () => {
    expect(HEALTH_STATUSES.every(isHealthStatus)).toBe(true);
    for (const bad of ['OK', 'healthy', '', null, undefined, 1, {}]) {
      expect(isHealthStatus(bad)).toBe(false);
    }
  });
});
