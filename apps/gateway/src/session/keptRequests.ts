import { forwardRequest } from './forwardRequest.js';
import { routeByUri } from './nameRoutes.js';
import type { RouteExtra } from './router.js';
import type { RouterContext } from './routerContext.js';
import { isUnavailable } from './toolCall.js';

type Params = Record<string, unknown> | undefined;

// Requests that leave state on the server's session (a subscription, a log level). The link
// keeps them (`keep`) so that a session it opens again gets them anew; each undoes its keep when
// the server refuses.

/** resources/subscribe: the server keeps subscriptions per session, so this client gets its own. */
export function subscribe(
  context: RouterContext,
  params: Params,
  extra: RouteExtra,
): Promise<unknown> {
  const link = routeByUri(context, params?.uri);
  const undo = link.keep('resources/subscribe', params);
  return forwardRequest(context, 'resources/subscribe', link, params, extra).catch(
    (error: unknown) => {
      undo();
      throw error;
    },
  );
}

/** resources/unsubscribe: on the session that holds it; forgotten once the server dropped it. */
export async function unsubscribe(
  context: RouterContext,
  params: Params,
  extra: RouteExtra,
): Promise<unknown> {
  const link = routeByUri(context, params?.uri);
  const result = await forwardRequest(context, 'resources/unsubscribe', link, params, extra);
  link.keep('resources/unsubscribe', params);
  return result;
}

/**
 * logging/setLevel: the server keeps the level per session, so this client gets a session of
 * its own with each server that logs, and a down one gets the level when that session opens.
 */
export async function setLevel(
  context: RouterContext,
  params: Params,
  extra: RouteExtra,
): Promise<Record<string, never>> {
  await Promise.all(
    context.links.current().map(async (link) => {
      if (!link.capabilities().logging) return;
      const undo = link.keep('logging/setLevel', params);
      try {
        await link.ensure(extra.signal);
      } catch (error) {
        if (isUnavailable(error)) return; // set when its session opens
        undo();
        throw error;
      }
      await forwardRequest(context, 'logging/setLevel', link, params, extra).catch(
        (error: unknown) => {
          undo();
          throw error;
        },
      );
    }),
  );
  return {};
}
