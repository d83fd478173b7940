import type { SelfhealEvent } from '@selfheal/schemas';
import fc from 'fast-check';

const servers = ['alpha', 'beta', 'gamma'];
const base = Date.UTC(2026, 10, 21, 10);

/** Any event the projection knows, plus foreign ones, for a few servers. */
export const eventArb: fc.Arbitrary<SelfhealEvent> = fc
  .record({
    t: fc.integer({ min: 0, max: 3_600_000 }),
    server_name: fc.constantFrom(...servers),
    kind: fc.constantFrom(
      'check_ok',
      'check_degraded',
      'check_down',
      'server_degraded',
      'server_down',
      'server_recovered',
      'recovery_started',
      'recovery_successful',
      'recovery_failed',
      'recovery_exhausted',
      'server_registered',
      'server_started',
      'server_disabled',
      'server_enabled',
      'server_reset',
      'foreign',
      'unserved',
    ),
    attempt: fc.integer({ min: 1, max: 5 }),
    strategy: fc.constantFrom('restart', 'command', 'manual'),
    rt: fc.integer({ min: 0, max: 5000 }),
  })
  .map(({ t, server_name, kind, attempt, strategy, rt }) => {
    const envelope = {
      timestamp: new Date(base + t).toISOString(),
      trace_id: `tr-${t % 5}`,
      repo: t % 3 === 0 ? 'monitor' : 'selfheal',
      server_name,
    };
    switch (kind) {
      case 'check_ok':
      case 'check_degraded':
      case 'check_down':
        return {
          ...envelope,
          event_type: 'health_check_completed',
          status: kind.slice(6),
          response_time_ms: rt,
          ...(kind === 'check_down' ? { error: 'timeout' } : {}),
        };
      case 'recovery_started':
        return { ...envelope, event_type: kind, reason: 'server_down', attempt, strategy };
      case 'recovery_failed':
        return { ...envelope, event_type: kind, error: 'exit 1', attempt };
      case 'recovery_exhausted':
        return { ...envelope, event_type: kind, requires_manual: true };
      case 'recovery_successful':
        return { ...envelope, event_type: kind, attempts: attempt };
      case 'foreign':
        return { ...envelope, event_type: 'pr_merged', pr: t };
      case 'unserved': {
        const { server_name: _, ...rest } = envelope;
        return { ...rest, event_type: 'sink_failed', sink: 'ws', error: 'x', failures: 1 };
      }
      default:
        return { ...envelope, event_type: kind };
    }
  });

/** Events sorted by time, as a replay folds them. */
export const timelineArb = fc
  .array(eventArb, { maxLength: 80 })
  .map((events) => [...events].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp)));
