import { randomBytes } from 'node:crypto';
import type { Clock } from '@selfheal/internal';
import type { UpstreamMessage } from '../upstream/sharedCalls.js';

/**
 * How this gateway process's own `requestState` tokens begin; any other is an upstream
 * server's (another gateway's included: the part after `selfheal.` is random per process).
 */
const OWN_PREFIX = `selfheal.${randomBytes(6).toString('base64url')}.`;

/** Whether `state` is a token of the gateway's (a parked call), not an upstream server's. */
export function isOwnRequestState(state: unknown): state is string {
  return typeof state === 'string' && state.startsWith(OWN_PREFIX);
}

/** A request the upstream sent during a call, waiting for the client's answer. */
interface Ask {
  key: string;
  message: UpstreamMessage;
  resolve: (result: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** How a round ended: the call's own outcome, or the requests the client must answer first. */
export type RoundOutcome =
  | { kind: 'done'; result: Record<string, unknown> }
  | { kind: 'failed'; error: unknown }
  | {
      kind: 'input_required';
      inputRequests: Record<string, UpstreamMessage>;
      requestState: string;
    };

/**
 * One stateless call to a 2025-11-25 upstream that asked its client for input (sampling,
 * elicitation, roots) mid-call (RFC 0013). The upstream call stays in flight on the shared
 * connection; each of its requests becomes an entry of `inputRequests` in an `input_required`
 * result, and the client's retry with `inputResponses` and the same `requestState` answers them
 * and waits for the next round. The upstream call is aborted when the client's request for a
 * round is, or when no retry comes within the round's time to live.
 */
export class InputCall {
  private readonly asks: Ask[] = [];
  private readonly controller = new AbortController();
  private done: Promise<RoundOutcome> = Promise.resolve({
    kind: 'failed',
    error: new Error('the call was not started'),
  });
  private wake: (() => void) | undefined;
  private counter = 0;
  /** The opaque token that names this call until its next round; new each round. */
  token: string | undefined;

  /** What the call is (method and name or URI): a retry must name the same. */
  constructor(readonly what: string) {}

  /** Starts the upstream call; `route` gets the signal that aborts it. Call once. */
  begin(route: (signal: AbortSignal) => Promise<Record<string, unknown>>): void {
    this.done = route(this.controller.signal).then(
      (result) => ({ kind: 'done', result }),
      (error: unknown) => ({ kind: 'failed', error }),
    );
  }

  /** The signal of the upstream call. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /**
   * An upstream request for the client: answered by a later round's `inputResponses`, or
   * withdrawn when the upstream cancels it (`signal`).
   */
  ask(message: UpstreamMessage, signal?: AbortSignal): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      const ask: Ask = { key: `input_${++this.counter}`, message, resolve, reject };
      this.asks.push(ask);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.asks.indexOf(ask);
          if (at >= 0) this.asks.splice(at, 1);
          reject(new Error('the server withdrew its request'));
        },
        { once: true },
      );
      this.wake?.();
    });
  }

  /**
   * Answers the waiting requests whose keys `responses` has; returns the keys it lacked. A key
   * the call did not ask for is ignored.
   */
  answer(responses: Record<string, unknown>): string[] {
    const missing: string[] = [];
    for (const ask of [...this.asks]) {
      const response = responses[ask.key];
      if (typeof response !== 'object' || response === null) {
        missing.push(ask.key);
        continue;
      }
      this.asks.splice(this.asks.indexOf(ask), 1);
      ask.resolve(response as Record<string, unknown>);
    }
    return missing;
  }

  /**
   * Waits for the call to finish or to ask the client something. Requests that arrive together
   * (in one turn of the event loop) go out in one round.
   */
  async next(): Promise<RoundOutcome> {
    if (this.asks.length === 0) {
      const asked = new Promise<'asked'>((resolve) => {
        this.wake = () => resolve('asked');
      });
      const first = await Promise.race([this.done, asked]);
      this.wake = undefined;
      if (first !== 'asked') return first;
      await new Promise((resolve) => setImmediate(resolve));
    }
    // A new token each round: an earlier round's cannot be answered twice.
    this.token = `${OWN_PREFIX}${randomBytes(18).toString('base64url')}`;
    return {
      kind: 'input_required',
      inputRequests: Object.fromEntries(this.asks.map((a) => [a.key, a.message])),
      requestState: this.token,
    };
  }

  /** Ends the call: the upstream request is aborted and its waiting requests refused. */
  abort(reason: string): void {
    for (const ask of this.asks.splice(0)) ask.reject(new Error(reason));
    this.controller.abort(new Error(reason));
  }
}

/** The parked calls of a gateway, by `requestState`, each for at most `ttlMs` between rounds. */
export class InputCalls {
  private readonly parked = new Map<string, { call: InputCall; timer: unknown }>();

  constructor(
    private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
    private readonly ttlMs: number,
  ) {}

  /** Keeps `call` until a retry takes it, or aborts it after the time to live. */
  park(call: InputCall): void {
    const token = call.token!;
    const timer = this.clock.setTimeout(() => {
      this.parked.delete(token);
      call.abort(
        `no retry with its input responses came within ${Math.round(this.ttlMs / 1000)} s`,
      );
    }, this.ttlMs);
    this.parked.set(token, { call, timer });
  }

  /** Takes the call a retry's `requestState` names, if it is still parked. */
  take(token: unknown): InputCall | undefined {
    if (typeof token !== 'string') return undefined;
    const entry = this.parked.get(token);
    if (entry === undefined) return undefined;
    this.parked.delete(token);
    this.clock.clearTimeout(entry.timer);
    return entry.call;
  }

  /** Aborts every parked call (the gateway stops). */
  close(): void {
    for (const { call, timer } of this.parked.values()) {
      this.clock.clearTimeout(timer);
      call.abort('the gateway stopped');
    }
    this.parked.clear();
  }
}
