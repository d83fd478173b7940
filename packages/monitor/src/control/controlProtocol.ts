/**
 * What an operator can ask a running monitor over its control socket. `approve` (a held tool,
 * a quarantined server: RFC 0017) is answered by a gateway only; a monitor alone refuses it.
 */
export const CONTROL_ACTIONS = ['reset', 'disable', 'enable', 'status', 'approve'] as const;

/** One of {@link CONTROL_ACTIONS}. */
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** One request: one JSON object on one line. `server` is required except for `status`. */
export interface ControlRequest {
  action: ControlAction;
  server?: string;
  /** `approve` only: the tool whose pending definition is approved; absent: the server. */
  tool?: string;
  /**
   * Who asks, recorded in the event (`operator` field). @default the caller's uid and pid
   * (`uid 1000 (pid 4242)`), or 'operator' when the client reported neither
   */
  operator?: string;
  /** The user id of the sending process, as it reports it (`sendControl` fills it in). */
  uid?: number;
  /** The process id of the sending process, as it reports it (`sendControl` fills it in). */
  pid?: number;
}

/** The answer: one JSON object on one line. */
export interface ControlReply {
  ok: boolean;
  /** Why not, when `ok` is false. */
  error?: string;
  /** The projected state of the server(s) after the action. */
  state?: unknown;
}

/** Narrows and checks a parsed request; returns the reason when it is not one. */
export function checkControlRequest(value: unknown): ControlRequest | string {
  if (typeof value !== 'object' || value === null) return 'expected a JSON object';
  const { action, server, tool, operator, uid, pid } = value as Record<string, unknown>;
  if (!CONTROL_ACTIONS.includes(action as ControlAction)) {
    return `"action": expected one of ${CONTROL_ACTIONS.join(', ')}, found ${JSON.stringify(action)}`;
  }
  if (action !== 'status' && (typeof server !== 'string' || server === '')) {
    return `"server": expected a server name for "${action}"`;
  }
  if (tool !== undefined && (action !== 'approve' || typeof tool !== 'string' || tool === ''))
    return action === 'approve'
      ? '"tool": expected a tool name'
      : `"tool": only "approve" takes a tool, not "${action}"`;
  if (operator !== undefined && typeof operator !== 'string')
    return '"operator": expected a string';
  if (uid !== undefined && !(Number.isInteger(uid) && (uid as number) >= 0))
    return `"uid": expected a user id (an integer >= 0), found ${JSON.stringify(uid)}`;
  if (pid !== undefined && !(Number.isInteger(pid) && (pid as number) >= 1))
    return `"pid": expected a process id (an integer >= 1), found ${JSON.stringify(pid)}`;
  return value as ControlRequest;
}

/**
 * The `operator` of the event a request causes: the name it gives, else the caller's uid and
 * pid (`uid 1000 (pid 4242)`), else 'operator'.
 */
export function operatorOf(request: ControlRequest): string {
  if (request.operator !== undefined && request.operator !== '') return request.operator;
  if (request.uid === undefined && request.pid === undefined) return 'operator';
  const uid = request.uid === undefined ? 'uid unknown' : `uid ${request.uid}`;
  return request.pid === undefined ? uid : `${uid} (pid ${request.pid})`;
}
