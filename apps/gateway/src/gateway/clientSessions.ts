import { createGatewaySession, type GatewaySession } from '../session/gatewaySession.js';
import type { ToolCallHost } from '../session/toolCall.js';
import type { GatewayContext } from './context.js';

/** What every client session shares with the gateway's other faces, per call. */
export interface SessionHost {
  readonly calls: ToolCallHost;
  /** The fallback chains a reload replaces in place. */
  readonly fallbacks: Record<string, string[]>;
  /** Runs the after-answer queue once an answer was written (`AfterAnswer.flush`). */
  readonly onAnswer: () => void;
}

/**
 * Opens a client session (one per Streamable HTTP session, one for stdio) and keeps it in
 * `ctx.sessions` until it closes, so that list changes reach it and `stop()` closes it.
 */
export function openClientSession(ctx: GatewayContext, host: SessionHost): GatewaySession {
  const session = createGatewaySession({
    upstreams: ctx.upstreams,
    upstreamsGeneration: () => ctx.upstreamsGeneration,
    settings: ctx.config.gateway,
    factory: ctx.factory,
    serverInfo: ctx.serverInfo,
    clock: ctx.clock,
    onWarning: (message) => ctx.emitter.emit('warning', message),
    calls: host.calls,
    fallbacks: host.fallbacks,
    onAnswer: host.onAnswer,
  });
  ctx.sessions.add(session);
  const close = session.close;
  return {
    server: session.server,
    close: async () => {
      ctx.sessions.delete(session);
      await close();
    },
  };
}
