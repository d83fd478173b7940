import type { ControlRequest } from '@selfheal/monitor';
import { describe, expect, it } from 'vitest';
import type { Gateway } from '../gateway.js';
import { createOperatorHandler } from './operatorHandler.js';

/** A gateway whose monitor records the requests it is given. */
function fakeGateway() {
  const seen: ControlRequest[] = [];
  const gateway = {
    monitor: {
      control: async (request: ControlRequest) => {
        seen.push(request);
        return { ok: true, state: { [request.server ?? 'all']: {} } };
      },
    },
  } as unknown as Gateway;
  return { gateway, seen };
}

describe('createOperatorHandler', () => {
  it('answers only status before the gateway has started, then everything', async () => {
    const { gateway, seen } = fakeGateway();
    let started = false;
    const handle = createOperatorHandler(gateway, () => started);
    expect(await handle({ action: 'reset', server: 'a' })).toEqual({
      ok: false,
      error: 'the gateway is still starting its servers; try again shortly',
    });
    expect(await handle({ action: 'status' })).toMatchObject({ ok: true });
    expect(seen).toEqual([{ action: 'status' }]);
    started = true;
    expect(await handle({ action: 'reset', server: 'a', operator: 'ana' })).toMatchObject({
      ok: true,
    });
    expect(seen.at(-1)).toEqual({ action: 'reset', server: 'a', operator: 'ana' });
  });
});
