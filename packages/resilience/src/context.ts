import { type CancelScope, scopeOf } from './cancelScope.js';

/** The MCP spec's ToolAnnotations hints this package reads (others are kept, not used). */
export interface ToolAnnotations {
  /** The tool does not modify its environment. */
  readOnlyHint?: boolean;
  /** Calling it again with the same arguments has no additional effect. */
  idempotentHint?: boolean;
  [key: string]: unknown;
}

/** What a call is, as plain data, so the package needs no SDK. */
export interface CallMeta {
  /** The JSON-RPC method, e.g. `tools/call`, `resources/read`. */
  method: string;
  /** The upstream tool name, for `tools/call`. */
  tool?: string;
  toolAnnotations?: ToolAnnotations;
  /** `false` when the request provably never reached the server. */
  sent?: boolean;
}

/** One attempt's own facts; the operation may set `sent` once it has written the request. */
export interface AttemptInfo {
  /** 1 for the first attempt. */
  number: number;
  /** Set by the operation: `true` once the request left, `false` if it provably never did. */
  sent?: boolean;
  /** True for the extra attempt of a hedge. */
  hedged?: boolean;
  /**
   * Set by the operation: clock time (ms, the policies' clock) when the request left, after
   * any wait for a connection to open. Breakers judge slowness from it, so a session's
   * start-up is not counted as a slow upstream.
   */
  sentAt?: number;
}

/** What every policy passes inward, and what the operation receives. */
export interface CallContext {
  /**
   * Aborts when the caller gives up or a deadline passes; pass it on to the transport. Made on
   * first read (see {@link CancelScope}); derive new contexts with {@link deriveContext}, which
   * keeps it lazy (a spread works too, but makes it).
   */
  readonly signal: AbortSignal;
  /** The cancellation behind `signal`, which policies watch without making a signal. */
  readonly scope: CancelScope;
  meta: CallMeta;
  /** Groups the events of this call. */
  traceId?: string;
  /** Clock time (ms) by which the whole call must end, if a call timeout set one. */
  deadline?: number;
  attempt: AttemptInfo;
  /** Admit the call even if its breaker is open (the fallback chain's panic rule). */
  bypassCircuit?: boolean;
}

/** How a caller starts a call: every field optional. */
export interface CallInit {
  signal?: AbortSignal;
  meta?: CallMeta;
  traceId?: string;
  bypassCircuit?: boolean;
  deadline?: number;
  attempt?: AttemptInfo;
}

/** The work a policy protects. */
export type Operation<T> = (context: CallContext) => Promise<T>;

const DEFAULT_META: CallMeta = { method: 'unknown' };

/** The fields of a {@link CallContext} a policy may change for the layers inside it. */
export type ContextChanges = Partial<Omit<CallContext, 'signal'>>;

// `signal` is an own, enumerable getter, so even a spread (`{ ...context }`) in someone's
// policy copies a working signal (making it then); the package itself derives contexts.
const SIGNAL: PropertyDescriptor = {
  get(this: CallContext) {
    return this.scope.signal;
  },
  enumerable: true,
};

class PolicyContext {
  scope: CancelScope;
  meta: CallMeta;
  traceId?: string;
  deadline?: number;
  attempt: AttemptInfo;
  bypassCircuit?: boolean;

  constructor(from: Omit<CallContext, 'signal'>) {
    this.scope = from.scope;
    this.meta = from.meta;
    if (from.traceId !== undefined) this.traceId = from.traceId;
    if (from.deadline !== undefined) this.deadline = from.deadline;
    this.attempt = from.attempt;
    if (from.bypassCircuit) this.bypassCircuit = true;
    Object.defineProperty(this, 'signal', SIGNAL);
  }
}

const make = (from: Omit<CallContext, 'signal'>) =>
  new PolicyContext(from) as unknown as CallContext;

/** A copy of `context` with `changes`, for the layers inside a policy. */
export function deriveContext(context: CallContext, changes: ContextChanges): CallContext {
  return make({
    scope: changes.scope ?? context.scope,
    meta: changes.meta ?? context.meta,
    traceId: 'traceId' in changes ? changes.traceId : context.traceId,
    deadline: 'deadline' in changes ? changes.deadline : context.deadline,
    attempt: changes.attempt ?? context.attempt,
    bypassCircuit: changes.bypassCircuit ?? context.bypassCircuit,
  } as Omit<CallContext, 'signal'>);
}

/** A full {@link CallContext} from a caller's {@link CallInit} (a context is returned as is). */
export function toContext(init: CallInit | CallContext | undefined): CallContext {
  if (init instanceof PolicyContext) return init as unknown as CallContext;
  const from = init as (CallInit & { scope?: CancelScope }) | undefined;
  return make({
    scope: from?.scope ?? scopeOf(from?.signal),
    meta: from?.meta ?? DEFAULT_META,
    traceId: from?.traceId,
    deadline: from?.deadline,
    attempt: from?.attempt ?? { number: 1 },
    bypassCircuit: from?.bypassCircuit,
  } as Omit<CallContext, 'signal'>);
}

const READ_ONLY_METHODS = new Set([
  'ping',
  'tools/list',
  'resources/list',
  'resources/templates/list',
  'resources/read',
  'prompts/list',
  'prompts/get',
  'completion/complete',
]);

/**
 * True when a call changes nothing upstream: a listing or read method, or `tools/call` of a
 * tool annotated `readOnlyHint: true`. Only such calls are hedged.
 */
export function isReadOnlyCall(meta: CallMeta): boolean {
  if (meta.method === 'tools/call') return meta.toolAnnotations?.readOnlyHint === true;
  return READ_ONLY_METHODS.has(meta.method);
}

/** True when repeating a call is safe: read-only, or a tool annotated `idempotentHint: true`. */
export function isIdempotentCall(meta: CallMeta): boolean {
  if (meta.method === 'tools/call') {
    return (
      meta.toolAnnotations?.readOnlyHint === true || meta.toolAnnotations?.idempotentHint === true
    );
  }
  return true;
}

/** Calls `operation`, turning a synchronous throw into a rejection. */
export function invoke<T>(operation: Operation<T>, context: CallContext): Promise<T> {
  try {
    return operation(context);
  } catch (error) {
    return Promise.reject(error);
  }
}
