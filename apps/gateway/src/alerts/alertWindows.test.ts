import { createEventFactory } from '@selfheal/events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import { resolveConfig } from '../config/loadConfig.js';
import { createAlertEngine } from './alertEngine.js';
import { alertKey } from './alertLedger.js';

describe('alert windows (properties)', () => {
  it('flapping: an alert is open exactly while k or more incidents fall within the window, one fire and one resolve per episode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 200_000 }), down: fc.boolean() }), {
          maxLength: 40,
        }),
        (incidents, windowSeconds, steps) => {
          const config = resolveConfig(
            {
              mcpServers: { a: { url: 'http://127.0.0.1:1/mcp' } },
              alerts: {
                rules: { flap: { type: 'flapping', incidents, window_seconds: windowSeconds } },
              },
            },
            'p.json',
            '/tmp',
            {},
          );
          const clock = manualClock();
          const events = createEventFactory({ clock, validate: false });
          const out: string[] = [];
          const engine = createAlertEngine({
            settings: config.alerts!,
            clock,
            events,
            publish: (e) => {
              out.push(e.event_type);
              engine.observe(e);
            },
            owe: () => {},
          });
          const downs: number[] = [];
          const expected = () =>
            downs.filter((t) => t > clock.now() - windowSeconds * 1000).length >= incidents;
          for (const step of steps) {
            clock.advance(step.gap);
            expect(engine.ledger.open.has(alertKey('flap', 'a'))).toBe(expected());
            if (step.down) {
              downs.push(clock.now());
              engine.observe(events.createOther('server_down', { server_name: 'a', reason: 'x' }));
              engine.observe(events.createOther('server_recovered', { server_name: 'a' }));
              expect(engine.ledger.open.has(alertKey('flap', 'a'))).toBe(expected());
            }
          }
          // Fires and resolves alternate, starting with a fire.
          for (const [i, type] of out.entries()) {
            expect(type).toBe(i % 2 === 0 ? 'alert_fired' : 'alert_resolved');
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
