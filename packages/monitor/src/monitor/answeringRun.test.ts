import { createFakeClock } from '@selfheal/internal/testing';
import { describe, expect, it } from 'vitest';
import { createAnsweringRun } from './answeringRun.js';

const check = (status: string) => ({
  event_type: 'health_check_completed',
  server_name: 's',
  status,
});
const down = { event_type: 'server_down', server_name: 's' };

describe('createAnsweringRun', () => {
  it('hands server_down the length of the run of good checks that the failures ended', async () => {
    const clock = createFakeClock();
    const run = createAnsweringRun(clock);
    run.note(check('ok'));
    await clock.advance(5000);
    run.note(check('degraded')); // still answering: the run goes on
    await clock.advance(3000);
    run.note(check('down'));
    await clock.advance(2000);
    run.note(check('down'));
    run.note(down);
    expect(run.atDown).toBe(8000);
    run.forgetAtDown();
    expect(run.atDown).toBeUndefined();
  });

  it('gives no run to a server that never answered', () => {
    const run = createAnsweringRun(createFakeClock());
    run.note(check('down'));
    run.note(down);
    expect(run.atDown).toBeUndefined();
  });
});
