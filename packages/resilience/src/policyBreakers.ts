import { type CircuitBreaker, createCircuitBreaker } from './circuitBreaker.js';
import type { Classifier } from './classify.js';
import type { PolicyOptions, PolicyShare } from './createPolicy.js';
import type { Runtime, RuntimeOptions } from './runtime.js';

/** The `circuitBreaker` section of {@link PolicyOptions}, when breakers are on. */
export type BreakerSection = Exclude<PolicyOptions['circuitBreaker'], false | undefined>;

/**
 * The breakers of one upstream's policy: made on demand, one per key (`server` or
 * `server/tool`), and the chain of them each call passes. A concern of its own because the
 * keying (isolated tools, per tool, one for all) and the sharing with another policy decide
 * which breakers a call meets, apart from how the layers are stacked.
 */
export interface PolicyBreakers {
  /** Every breaker a call of `tool` passes, outermost (the upstream's) first. */
  readonly guards: (tool?: string) => readonly CircuitBreaker[];
  /** The innermost of `guards(tool)`. */
  breaker(tool?: string): CircuitBreaker | undefined;
  /** The first of `guards(tool)` that is open, half-open or isolated, if any. */
  ejectedBy(tool?: string): CircuitBreaker | undefined;
  /** Every breaker made so far. */
  all(): CircuitBreaker[];
  /** Makes the breakers `history` knows, so their state and timers are restored at once. */
  restore(): void;
  /** The upstream's breaker closes, the others half-open (see `UpstreamPolicy.serverRecovered`). */
  serverRecovered(): void;
  /** Stops every breaker's timer. */
  dispose(): void;
}

/** Whether `breaker` refuses calls outright (a half-open one may admit a probe). */
export function refuses(breaker: CircuitBreaker): boolean {
  const mode = breaker.state().mode;
  return mode === 'open' || mode === 'isolated';
}

/**
 * The breakers of the policy of `runtime.serverName`; none when `section` is undefined. With
 * `share.guards` the chain is the other policy's; with `share.serverBreaker` only the
 * upstream's breaker is.
 */
export function createPolicyBreakers(
  runtime: Runtime,
  section: BreakerSection | undefined,
  classify: Classifier,
  history: readonly { event_type: string; circuit?: unknown }[] | undefined,
  share: PolicyShare,
): PolicyBreakers {
  const shared: RuntimeOptions = { ...runtime };
  const isolate = section?.isolateTools !== false;
  const perTool = section?.perTool === true;
  const breakerMap = new Map<string, CircuitBreaker>();

  const make = (tool: string | undefined): CircuitBreaker => {
    const key = tool === undefined ? runtime.serverName : `${runtime.serverName}/${tool}`;
    let breaker = breakerMap.get(key);
    if (!breaker) {
      const { perTool: _perTool, isolateTools: _isolate, ...rest } = section!;
      breaker = createCircuitBreaker({
        ...shared,
        ...rest,
        classify,
        circuit: key,
        judges: !isolate ? 'all' : tool === undefined ? 'server' : 'tool',
        ...(tool !== undefined ? { tool } : {}),
        ...(history ? { history } : {}),
      });
      breakerMap.set(key, breaker);
    }
    return breaker;
  };
  const serverBreaker = (): CircuitBreaker | undefined =>
    share.serverBreaker ? share.serverBreaker() : make(undefined);
  // A tool's chain never changes once made (breakers are made once and kept): kept per tool,
  // so a call and each of its attempts read it without a key or an array of their own.
  const chains = new Map<string | undefined, readonly CircuitBreaker[]>();
  const ownGuards = (tool: string | undefined): readonly CircuitBreaker[] => {
    let chain = chains.get(tool);
    if (chain === undefined) {
      chain = chainOf(tool);
      chains.set(tool, chain);
    }
    return chain;
  };
  const chainOf = (tool: string | undefined): readonly CircuitBreaker[] => {
    if (!section) return [];
    if (tool === undefined || (!isolate && !perTool)) {
      const server = serverBreaker();
      return server ? [server] : [];
    }
    if (!isolate) return [make(tool)];
    const server = serverBreaker();
    return server ? [server, make(tool)] : [make(tool)];
  };
  const guards = share.guards && section ? share.guards : ownGuards;

  return {
    guards,
    breaker: (tool) => guards(tool).at(-1),
    ejectedBy: (tool) => guards(tool).find((b) => b.isEjected()),
    all: () => [...breakerMap.values()],
    restore() {
      if (!section || share.guards) return;
      if (isolate || !perTool) serverBreaker();
      if ((isolate || perTool) && history) {
        const prefix = `${runtime.serverName}/`;
        for (const event of history) {
          if (typeof event.circuit === 'string' && event.circuit.startsWith(prefix)) {
            make(event.circuit.slice(prefix.length));
          }
        }
      }
    },
    serverRecovered() {
      for (const [key, breaker] of breakerMap) {
        // The upstream's own breaker judges the transport, which answers again: it closes.
        // A breaker that also counts tools' failures may have opened on a tool: a probe decides.
        if (key === runtime.serverName && isolate) breaker.reset();
        else breaker.halfOpenNow();
      }
    },
    dispose() {
      for (const breaker of breakerMap.values()) breaker.dispose();
    },
  };
}
