import type { SelfhealEvent } from '@selfheal/schemas';
import { describe, expect, it } from 'vitest';
import {
  initialTrustState,
  isToolQuarantined,
  projectTrust,
  projectTrustAll,
} from './trustProjection.js';

const H1 = `sha256:${'1'.repeat(64)}`;
const H2 = `sha256:${'2'.repeat(64)}`;
let n = 0;
const ev = (event_type: string, fields: Record<string, unknown>): SelfhealEvent =>
  ({
    event_type,
    timestamp: new Date(Date.UTC(2026, 11, 6, 4, 0, n++)).toISOString(),
    trace_id: 't',
    server_name: 'drifting',
    ...fields,
  }) as SelfhealEvent;

describe('projectTrust', () => {
  it('pins, holds a changed definition, and pins the approved one', () => {
    const def1 = { name: 'echo', description: 'one' };
    const def2 = { name: 'echo', description: 'two' };
    const pinned = projectTrustAll([
      ev('tool_pinned', { tool: 'echo', hash: H1, definition: def1 }),
    ]);
    expect(pinned.servers.drifting!.tools.echo).toEqual({ hash: H1, definition: def1 });
    expect(isToolQuarantined(pinned.servers.drifting!.tools.echo)).toBe(false);

    const changed = projectTrust(
      pinned,
      ev('tool_definition_changed', {
        tool: 'echo',
        hash: H2,
        previous_hash: H1,
        definition: def2,
        diff: ['~ /description: "one" -> "two"'],
        reason: 'changed',
      }),
    );
    const pin = changed.servers.drifting!.tools.echo!;
    expect(pin.hash).toBe(H1);
    expect(pin.pending).toMatchObject({ hash: H2, definition: def2, reason: 'changed' });
    expect(isToolQuarantined(pin)).toBe(true);

    const approved = projectTrust(changed, ev('tool_approved', { tool: 'echo', hash: H2 }));
    expect(approved.servers.drifting!.tools.echo).toEqual({ hash: H2, definition: def2 });
  });

  it('holds a new tool that was never approved', () => {
    const s = projectTrustAll([
      ev('tool_definition_changed', {
        tool: 'exec',
        hash: H1,
        definition: { name: 'exec' },
        diff: [],
        reason: 'new_tool',
      }),
    ]);
    expect(s.servers.drifting!.tools.exec!.hash).toBeUndefined();
    expect(isToolQuarantined(s.servers.drifting!.tools.exec)).toBe(true);
  });

  it('follows the score and the quarantine', () => {
    const s = projectTrustAll([
      ev('trust_changed', { score: 0.3, previous: 0.5, signal: 'call_failed' }),
      ev('server_quarantined', { score: 0.15, threshold: 0.2, reason: 'incident' }),
    ]);
    expect(s.servers.drifting!.score).toBe(0.3);
    expect(s.servers.drifting!.quarantined).toMatchObject({ score: 0.15, reason: 'incident' });
    const released = projectTrust(s, ev('server_released', { by: 'operator' }));
    expect(released.servers.drifting!.quarantined).toBeUndefined();
  });

  it('returns the same state for other events and for events without a server', () => {
    const s = projectTrustAll([ev('trust_changed', { score: 0.4, previous: 0.5, signal: 'x' })]);
    expect(projectTrust(s, ev('call_completed', { outcome: 'ok' }))).toBe(s);
    expect(projectTrust(s, ev('trust_changed', { server_name: undefined, score: 1 }))).toBe(s);
    expect(projectTrust(initialTrustState, ev('tool_pinned', { hash: H1 }))).toBe(
      initialTrustState,
    );
  });
});
