import type { SelfhealEvent } from '@selfheal/schemas';
import type { Observable } from 'rxjs';
import type { GatewaySettings } from '../config/loadConfig.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';

/**
 * Graceful degradation (RFC 0008): in `hide` mode a server's tools leave the list while it is
 * down and return when it recovers; every client is told with tools/list_changed each time.
 * `settings` is read at each event, so a reload's mode applies at once. Returns the end of it.
 */
export function hideToolsWhileDown(
  shown$: Observable<SelfhealEvent>,
  settings: Pick<GatewaySettings, 'degradation'>,
  upstreamByName: ReadonlyMap<string, UpstreamServer>,
): () => void {
  const degradation = shown$.subscribe((event) => {
    if (settings.degradation !== 'hide') return;
    if (event.event_type !== 'server_down' && event.event_type !== 'server_recovered') return;
    // Through the server's own list-change path: 2025-11-25 sessions and listen streams alike.
    const name = event.server_name;
    if (name !== undefined) upstreamByName.get(name)?.emit('listChanged', 'tools/list');
  });
  return () => degradation.unsubscribe();
}
