import type { RequestOptions } from '@modelcontextprotocol/server';
import type { RouteExtra } from './router.js';
import type { RouterContext } from './routerContext.js';
import { traceContextOf } from './traceContext.js';
import { executeUpstreamCall, toWireError } from './upstreamCall.js';
import type { UpstreamLink } from './upstreamLink.js';

type Params = Record<string, unknown> | undefined;

/**
 * Forwards one client request to the server that owns it, through that server's policy (every
 * upstream request goes through it; only tools/call has a chain). Rejects with the error the
 * client gets on the wire.
 */
export function forwardRequest(
  context: RouterContext,
  method: string,
  link: UpstreamLink,
  params: Params,
  extra: RouteExtra,
): Promise<unknown> {
  const trace = traceContextOf(params?._meta as Record<string, unknown> | undefined);
  const session = extra.sessionId === undefined ? {} : { sessionId: extra.sessionId };
  return executeUpstreamCall(context.options.calls, {
    server: link.name,
    method,
    signal: extra.signal,
    trace,
    ...session,
    connect: (signal) => link.ensure(signal),
    attempt: (signal) =>
      link.forward(
        method,
        params,
        extra.requestId,
        { ...requestOptions(context, extra), signal },
        { traceId: trace.traceId, ...session },
      ),
  }).catch((error: unknown) => {
    throw toWireError(error, link.name);
  });
}

/**
 * The SDK options of the upstream request made for a client's: its cancel, the gateway's
 * request timeout (renewed by progress), and the client's progress token carried back.
 */
export function requestOptions(context: RouterContext, extra: RouteExtra): RequestOptions {
  const progressToken = extra._meta?.progressToken;
  return {
    signal: extra.signal,
    timeout: context.settings.requestTimeoutMs,
    resetTimeoutOnProgress: true,
    ...(progressToken === undefined
      ? {}
      : {
          // The SDK gives the upstream request its own token; the client sees its own back.
          onprogress: (progress) => {
            void extra
              .sendNotification({
                method: 'notifications/progress',
                params: { ...progress, progressToken },
              })
              .catch(() => {});
          },
        }),
  };
}
