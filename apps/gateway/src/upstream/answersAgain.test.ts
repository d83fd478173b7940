import { initialServerHealth, type ServerHealth } from '@selfheal/events';
import { describe, expect, it } from 'vitest';
import { answersAgain } from './answersAgain.js';

const DOWN_AT = Date.UTC(2026, 10, 21, 10, 0, 0);
const down = (fields: Partial<ServerHealth> = {}): ServerHealth => ({
  ...initialServerHealth('s', new Date(DOWN_AT).toISOString()),
  status: 'down',
  status_since: new Date(DOWN_AT).toISOString(),
  last_check_status: 'down',
  consecutive_failures: 1,
  ...fields,
});

describe('answersAgain', () => {
  it('regression: a session opened after the server went down is enough (no 3 good checks)', () => {
    expect(answersAgain(down({ lifecycle: 'recovering' }), DOWN_AT + 1300)).toBe(true);
  });

  it('is false for the session that was open when it went down, or none', () => {
    expect(answersAgain(down(), DOWN_AT)).toBe(false);
    expect(answersAgain(down(), DOWN_AT - 5000)).toBe(false);
    expect(answersAgain(down(), undefined)).toBe(false);
  });

  it('is true after the first good check, before server_recovered', () => {
    expect(
      answersAgain(down({ last_check_status: 'ok', consecutive_successes: 1 }), DOWN_AT - 5000),
    ).toBe(true);
    expect(answersAgain(down({ last_check_status: 'degraded' }), undefined)).toBe(true);
  });

  it('never for a server an operator or exhausted recovery holds', () => {
    expect(answersAgain(down({ lifecycle: 'disabled' }), DOWN_AT + 1)).toBe(false);
    expect(answersAgain(down({ lifecycle: 'failed' }), DOWN_AT + 1)).toBe(false);
    expect(
      answersAgain(down({ requires_manual: true, last_check_status: 'ok' }), DOWN_AT + 1),
    ).toBe(false);
  });
});
