import type { Implementation } from '@modelcontextprotocol/server';
import { LIST_CHANGED_NOTIFICATION, type ListMethod } from '../upstream/catalog.js';
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

/** Which filter flag each list's change notification answers to. */
const FLAGS: Record<
  ListMethod,
  'toolsListChanged' | 'promptsListChanged' | 'resourcesListChanged'
> = {
  'tools/list': 'toolsListChanged',
  'prompts/list': 'promptsListChanged',
  'resources/list': 'resourcesListChanged',
  'resources/templates/list': 'resourcesListChanged',
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

/**
 * Where list changes come from: registers the listener of every change and returns its
 * removal.
 */
export type ListChanges = (onChange: (method: ListMethod) => void) => () => void;

/** List changes of a fixed set of upstreams: each one's `listChanged` events. */
export function listChangesOf(upstreams: readonly UpstreamServer[]): ListChanges {
  return (onChange) => {
    for (const upstream of upstreams) upstream.on('listChanged', onChange);
    return () => {
      for (const upstream of upstreams) upstream.off('listChanged', onChange);
    };
  };
}

/** Creates the {@link Listener} over the list changes `changes` reports. */
export function createListener(changes: ListChanges): Listener {
  const streams = new Set<(method: ListMethod | undefined) => void>();
  const unsubscribe = changes((method) => {
    for (const stream of streams) stream(method);
  });
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
          if (!honoured[FLAGS[method]]) return;
          io.notify({ method: LIST_CHANGED_NOTIFICATION[method], params: { _meta: tag } });
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
      unsubscribe();
      for (const stream of [...streams]) stream(undefined);
    },
  };
}
