import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/server';

/** The stateless MCP revision the gateway serves beside 2025-11-25 (RFC 0013). */
export const STATELESS_VERSION = '2026-07-28';

/** Revisions served without `initialize`, newest first. */
export const STATELESS_VERSIONS: readonly string[] = [STATELESS_VERSION];

/** The `_meta` keys of a stateless request's envelope and of every result. */
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** JSON-RPC error codes of the stateless revision (with the HTTP status each goes with). */
export const StatelessErrorCode = {
  /** A header is missing, malformed, or says something else than the body. */
  HeaderMismatch: -32020,
  /** The request needs a client capability the envelope does not declare. */
  MissingRequiredClientCapability: -32021,
  /** The envelope names a revision the gateway does not serve. */
  UnsupportedProtocolVersion: -32022,
} as const;

/** The log levels, least severe first (RFC 5424's order, as MCP uses it). */
export const LOG_LEVELS = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
] as const;

/** What a stateless request says about its client. */
export interface Envelope {
  protocolVersion: string;
  clientCapabilities: ClientCapabilities;
  clientInfo?: Implementation;
  /** The least severe log message the client wants for this request; none when absent. */
  logLevel?: (typeof LOG_LEVELS)[number];
}

/** A request the gateway refuses before routing it: the JSON-RPC error and its HTTP status. */
export interface EnvelopeProblem {
  status: number;
  code: number;
  message: string;
  data?: unknown;
}

/**
 * Whether a request is on the stateless revision: its envelope names a protocol version
 * (`_meta`), or its HTTP `MCP-Protocol-Version` header names a stateless one. `initialize`
 * always selects the 2025-11-25 path.
 */
export function isStatelessRequest(
  message: { method?: unknown; params?: unknown },
  versionHeader?: string,
): boolean {
  // initialize starts a 2025-11-25 session, unless the header says the client speaks a
  // stateless revision (which has no initialize: it gets 404).
  if (message.method === 'initialize')
    return versionHeader !== undefined && versionHeader >= STATELESS_VERSION;
  const meta = metaOf(message.params);
  if (meta !== undefined && META.protocolVersion in meta) return true;
  return versionHeader !== undefined && versionHeader >= STATELESS_VERSION;
}

/**
 * Reads and checks the envelope of a stateless request (`params._meta`): protocol version and
 * client capabilities are required, the version must be one the gateway serves, and a log level
 * must be a known one.
 */
export function readEnvelope(params: unknown): Envelope | EnvelopeProblem {
  const meta = metaOf(params);
  const missing = (key: string): EnvelopeProblem => ({
    status: 400,
    code: -32602,
    message: `Invalid params: a stateless request carries "${key}" in params._meta (MCP ${STATELESS_VERSION})`,
  });
  if (meta === undefined) return missing(META.protocolVersion);
  const version = meta[META.protocolVersion];
  if (typeof version !== 'string' || version === '') return missing(META.protocolVersion);
  if (!STATELESS_VERSIONS.includes(version))
    return {
      status: 400,
      code: StatelessErrorCode.UnsupportedProtocolVersion,
      message: `Unsupported protocol version ${JSON.stringify(version)}: this gateway serves ${STATELESS_VERSIONS.join(', ')} statelessly and 2025-11-25 after initialize`,
      data: { supported: [...STATELESS_VERSIONS], requested: version },
    };
  const capabilities = meta[META.clientCapabilities];
  if (typeof capabilities !== 'object' || capabilities === null || Array.isArray(capabilities))
    return missing(META.clientCapabilities);
  const envelope: Envelope = {
    protocolVersion: version,
    clientCapabilities: capabilities as ClientCapabilities,
  };
  const info = meta[META.clientInfo];
  if (typeof info === 'object' && info !== null) envelope.clientInfo = info as Implementation;
  const level = meta[META.logLevel];
  if (level !== undefined) {
    if (!LOG_LEVELS.includes(level as Envelope['logLevel'] & string))
      return {
        status: 400,
        code: -32602,
        message: `Invalid params: "${META.logLevel}" is ${JSON.stringify(level)}, not one of ${LOG_LEVELS.join(', ')}`,
      };
    envelope.logLevel = level as Envelope['logLevel'];
  }
  return envelope;
}

/** Whether {@link readEnvelope} refused the request. */
export function isEnvelopeProblem(value: Envelope | EnvelopeProblem): value is EnvelopeProblem {
  return 'status' in value;
}

/**
 * The request's params as a 2025-11-25 server expects them: the envelope's keys leave `_meta`
 * (the gateway's shared connection has its own identity), and so do a retry's `inputResponses`
 * and `requestState`; anything else stays.
 */
export function withoutEnvelope(
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (params === undefined) return params;
  // A retry's answers to a stateless server's input requests mean nothing to this one.
  const { _meta: _dropped, inputResponses: _r, requestState: _s, ...rest } = params;
  const meta = metaOf(params);
  if (meta === undefined) return rest;
  const kept = Object.fromEntries(
    Object.entries(meta).filter(([key]) => !key.startsWith('io.modelcontextprotocol/')),
  );
  return Object.keys(kept).length === 0 ? rest : { ...rest, _meta: kept };
}

/** Whether a log message at `level` goes to a client that asked for `threshold`. */
export function logLevelPasses(level: unknown, threshold: Envelope['logLevel']): boolean {
  if (threshold === undefined) return false;
  const at = LOG_LEVELS.indexOf(level as (typeof LOG_LEVELS)[number]);
  return at === -1 || at >= LOG_LEVELS.indexOf(threshold);
}

function metaOf(params: unknown): Record<string, unknown> | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const meta = (params as { _meta?: unknown })._meta;
  return typeof meta === 'object' && meta !== null && !Array.isArray(meta)
    ? (meta as Record<string, unknown>)
    : undefined;
}

/**
 * The `resultType` of a result from upstream: its own, else `input_required` when it carries
 * `inputRequests` or `requestState` (only an input-required result has them), else `complete`.
 * The SDK 2.x client the gateway's upstream links use speaks 2025-11-25 and takes `resultType`
 * off every result it receives (foreign vocabulary there); the era adapter under it passes the
 * rest of a 2026-07-28 server's result unchanged, so the kind is read back from its keys.
 */
export function resultTypeOf(result: Record<string, unknown>): string {
  if (typeof result.resultType === 'string') return result.resultType;
  return 'inputRequests' in result || 'requestState' in result ? 'input_required' : 'complete';
}
