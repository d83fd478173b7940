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
}

/** What every policy passes inward, and what the operation receives. */
export interface CallContext {
  /** Aborts when the caller gives up or a deadline passes; pass it on to the transport. */
  signal: AbortSignal;
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
}

/** The work a policy protects. */
export type Operation<T> = (context: CallContext) => Promise<T>;

const NEVER_ABORTED = new AbortController().signal;
const DEFAULT_META: CallMeta = { method: 'unknown' };

/** A full {@link CallContext} from a caller's {@link CallInit}. */
export function toContext(init: CallInit | CallContext | undefined): CallContext {
  if (init && 'attempt' in init) return init;
  return {
    signal: init?.signal ?? NEVER_ABORTED,
    meta: init?.meta ?? DEFAULT_META,
    ...(init?.traceId !== undefined ? { traceId: init.traceId } : {}),
    ...(init?.bypassCircuit ? { bypassCircuit: true } : {}),
    attempt: { number: 1 },
  };
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
