import type { Client } from '@modelcontextprotocol/client';
import { initialServerHealth, type ServerHealth } from '@selfheal/events';
import { describe, expect, it } from 'vitest';
import { manualClock } from '../../test/helpers/manualClock.js';
import { isSameUpstreamState, type SessionStanding, upstreamStateOf } from './upstreamState.js';

const T0 = Date.UTC(2026, 10, 21, 10);
const client = {} as Client;
const health = (fields: Partial<ServerHealth>): ServerHealth => ({
  ...initialServerHealth('a', new Date(T0).toISOString()),
  ...fields,
});
const listed: SessionStanding = { client, listed: client, openedAt: T0 };
const unlisted: SessionStanding = { client, listed: undefined, openedAt: T0 };

describe('upstreamStateOf', () => {
  const clock = manualClock(T0 + 60_000);

  it('is up once the current session is listed, connecting before', () => {
    expect(upstreamStateOf(undefined, listed, clock)).toEqual({ status: 'up', since: T0 + 60_000 });
    expect(upstreamStateOf(undefined, unlisted, clock).status).toBe('connecting');
  });

  it('is down while the projection says so, unless a session opened after the outage answers', () => {
    const down = health({
      status: 'down',
      error: 'exited',
      status_since: new Date(T0 - 1_000).toISOString(),
      recovery_attempts: 2,
    });
    expect(upstreamStateOf(down, unlisted, clock)).toEqual({
      status: 'down',
      since: T0 - 1_000,
      error: 'exited',
      attempt: 2,
      manual: false,
    });
    expect(upstreamStateOf(down, listed, clock).status).toBe('up');
  });

  it('is down for an operator when disabled, listed or not', () => {
    const disabled = health({ lifecycle: 'disabled', status: 'ok' });
    expect(upstreamStateOf(disabled, listed, clock)).toMatchObject({
      status: 'down',
      error: 'disabled by an operator',
      manual: true,
    });
  });
});

describe('isSameUpstreamState', () => {
  it('ignores a new since, and sees a new reason, attempt or need of an operator', () => {
    const down = { status: 'down', since: 1, error: 'x', attempt: 1, manual: false } as const;
    expect(isSameUpstreamState({ status: 'up', since: 2 }, { status: 'up', since: 1 })).toBe(true);
    expect(isSameUpstreamState({ ...down, since: 5 }, down)).toBe(true);
    expect(isSameUpstreamState({ ...down, attempt: 2 }, down)).toBe(false);
    expect(isSameUpstreamState({ ...down, manual: true }, down)).toBe(false);
    expect(isSameUpstreamState({ ...down, error: 'y' }, down)).toBe(false);
    expect(isSameUpstreamState({ status: 'up', since: 1 }, down)).toBe(false);
  });
});
