/** What an operator can ask a running monitor over its control socket. */
export const CONTROL_ACTIONS = ['reset', 'disable', 'enable', 'status'] as const;

/** One of {@link CONTROL_ACTIONS}. */
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** One request: one JSON object on one line. `server` is required except for `status`. */
export interface ControlRequest {
  action: ControlAction;
  server?: string;
  /** Who asks, recorded in the event (`operator` field). @default 'operator' */
  operator?: string;
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
  const { action, server, operator } = value as Record<string, unknown>;
  if (!CONTROL_ACTIONS.includes(action as ControlAction)) {
    return `"action": expected one of ${CONTROL_ACTIONS.join(', ')}, found ${JSON.stringify(action)}`;
  }
  if (action !== 'status' && (typeof server !== 'string' || server === '')) {
    return `"server": expected a server name for "${action}"`;
  }
  if (operator !== undefined && typeof operator !== 'string')
    return '"operator": expected a string';
  return value as ControlRequest;
}
