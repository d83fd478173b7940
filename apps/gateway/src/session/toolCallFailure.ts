import { isResilienceError } from '@selfheal/resilience';
import { GatewayError, GatewayErrorCode, toolErrorResult } from '../errors.js';
import { isUnavailable } from './toolCall.js';

/**
 * What the client gets when a tools/call fails: a server that is out, a quarantine, or a refusal
 * of the resilience policy is a tool result with `isError` (the model can read it and move on);
 * anything else, or any failure after the client's cancel, is rethrown to go on the wire.
 */
export function toolCallFailure(error: unknown, signal: AbortSignal): Record<string, unknown> {
  if (isUnavailable(error) || isQuarantined(error)) return toolErrorResult(error);
  if (isResilienceError(error) && !signal.aborted) return resilienceToolError(error);
  throw error;
}

function isQuarantined(error: unknown): error is GatewayError {
  return (
    error instanceof GatewayError &&
    (error.code === GatewayErrorCode.ToolQuarantined ||
      error.code === GatewayErrorCode.ServerQuarantined)
  );
}

function resilienceToolError(error: Error & { code: string }): Record<string, unknown> {
  return {
    content: [{ type: 'text', text: error.message }],
    isError: true,
    _meta: { 'selfheal/error': { code: error.code } },
  };
}
