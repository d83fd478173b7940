import type { Client } from '@modelcontextprotocol/client';
import type { UpstreamState } from './upstreamServer.js';
import { type UpstreamContext, unavailableError } from './upstreamState.js';

/** Callers waiting for an upstream's next session (see `UpstreamServer.session`). */
export interface SessionWaiters {
  /**
   * The current session other than `not`, else the next one; rejects when `signal` aborts,
   * after `waitMs`, and while the server is down (with `not`, only once it needs an operator).
   */
  wait(signal: AbortSignal | undefined, waitMs: number, not?: Client): Promise<Client>;
  /**
   * Tells every waiter to look again: it takes the session now open, or gives up when no
   * session is coming (the server down, or `stopping`).
   */
  wake(stopping?: boolean): void;
}

/** The waiters of the upstream behind `context`, which wakes them on each session and state. */
export function createSessionWaiters(context: UpstreamContext): SessionWaiters {
  const { clock } = context;
  const waiters = new Set<(stopping?: boolean) => void>();
  const unavailable = (why?: string) => unavailableError(context.spec, context.state, why);
  return {
    wait(signal, waitMs, not) {
      const { client } = context;
      if (client !== undefined && client !== not) return Promise.resolve(client);
      // A request that was in flight when its session broke waits for the monitor's restart; a
      // new one is refused at once, so that fallbacks and breakers see the server down.
      const gives = (s: UpstreamState) => s.status === 'down' && (not === undefined || s.manual);
      if (gives(context.state) || context.stopped) return Promise.reject(unavailable());
      return new Promise<Client>((resolve, reject) => {
        const done = () => {
          waiters.delete(wake);
          clock.clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
        };
        const wake = (stopping = false) => {
          if (stopping || gives(context.state)) {
            done();
            reject(unavailable());
            return;
          }
          const next = context.client;
          if (next === undefined || next === not) return;
          done();
          resolve(next);
        };
        const abort = () => {
          done();
          reject(signal?.reason ?? unavailable());
        };
        const timer = clock.setTimeout(() => {
          done();
          reject(unavailable(`no session opened within ${waitMs} ms`));
        }, waitMs);
        waiters.add(wake);
        signal?.addEventListener('abort', abort, { once: true });
      });
    },
    wake(stopping) {
      for (const wake of [...waiters]) wake(stopping);
    },
  };
}
