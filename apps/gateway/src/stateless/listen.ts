import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import type { ListMethod } from '../upstream/catalog.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { META } from './envelope.js';
import type { StatelessIo, StatelessReply } from './statelessGateway.js';

/** A `subscriptions/listen` request. */
export interface ListenRequest {
  id: string | number;
  method: 'subscriptions/listen';
  params?: {
    notifications?: {
      toolsListChanged?: boolean;
      promptsListChanged?: boolean;
      resourcesListChanged?: boolean;
      resourceSubscriptions?: string[];
    };
    _meta?: Record<string, unknown>;
  };
}

/** Which filter flag each list's change notification answers to, and its method. */
const LISTS: Record<
  ListMethod,
  { flag: 'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged'; method: string }
> = {
  'tools/list': { flag: 'toolsListChanged', method: 'notifications/tools/list_changed' },
  'prompts/list': { flag: 'promptsListChanged', method: 'notifications/prompts/list_changed' },
  'resources/list': {
    flag: 'resourcesListChanged',
    method: 'notifications/resources/list_changed',
  },
  'resources/templates/list': {
    flag: 'resourcesListChanged',
    method: 'notifications/resources/list_changed',
  },
};

/** The listen streams of stateless clients, fed by every upstream's list changes. */
export interface Listener {
  /**
   * Acknowledges the filter it honours (list changes; not resource subscriptions, which the
   * gateway does not carry statelessly yet), then sends each matching list change tagged with
   * the subscription id, until the client closes the stream (`io.signal`), and then answers.
   */
  listen(
    request: ListenRequest,
    io: StatelessIo,
    serverInfo: Implementation,
  ): Promise<StatelessReply>;
  /** Ends every stream. */
  close(): void;
}

/** Creates the {@link Listener} over `upstreams`' `listChanged` events. */
export function createListener(upstreams: readonly UpstreamServer[]): Listener {
  const streams = new Set<(method: ListMethod | undefined) => void>();
  const onChange = (method: ListMethod) => {
    for (const stream of streams) stream(method);
  };
  for (const upstream of upstreams) upstream.on('listChanged', onChange);
  return {
    listen(request, io, serverInfo) {
      const asked = request.params?.notifications ?? {};
      const honoured = {
        ...(asked.toolsListChanged === true && { toolsListChanged: true }),
        ...(asked.promptsListChanged === true && { promptsListChanged: true }),
        ...(asked.resourcesListChanged === true && { resourcesListChanged: true }),
      };
      const tag = { [META.subscriptionId]: request.id };
      io.notify({
        method: 'notifications/subscriptions/acknowledged',
        params: { notifications: honoured, _meta: tag },
      });
      return new Promise((resolve) => {
        const stream = (method: ListMethod | undefined) => {
          if (method === undefined) return end();
          // An upstream's resources/list_changed comes as both resource lists: told once.
          if (method === 'resources/templates/list') return;
          const { flag, method: notification } = LISTS[method];
          if (!honoured[flag]) return;
          io.notify({ method: notification, params: { _meta: tag } });
        };
        const end = () => {
          streams.delete(stream);
          io.signal.removeEventListener('abort', end);
          resolve({
            status: 200,
            result: { resultType: 'complete', _meta: { ...tag, [META.serverInfo]: serverInfo } },
          });
        };
        streams.add(stream);
        io.signal.addEventListener('abort', end, { once: true });
      });
    },
    close() {
      for (const upstream of upstreams) upstream.off('listChanged', onChange);
      for (const stream of [...streams]) stream(undefined);
    },
  };
}
