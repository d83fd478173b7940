import type { ProtocolEra } from '@modelcontextprotocol/server';
import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/server';
import { PNG_BASE64, TEXT, URI } from '../fixtures.js';

/**
 * Registers the resources the scenarios read: static text, static binary, a watched resource,
 * and the `test://template/{id}/data` template. On a 2025-11-25 connection it also serves
 * `resources/subscribe` and `resources/unsubscribe` (they return `{}`; 2026-07-28 replaced them
 * with `subscriptions/listen`, which the SDK serves). An unknown URI is answered by the SDK
 * with -32602 and `data.uri`.
 */
export function registerResources(server: McpServer, era: ProtocolEra): void {
  server.registerResource(
    'static-text',
    URI.staticText,
    { description: 'A static text resource', mimeType: 'text/plain' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: TEXT.staticResource }],
    }),
  );
  server.registerResource(
    'static-binary',
    URI.staticBinary,
    { description: 'A static binary resource (1x1 PNG)', mimeType: 'image/png' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_BASE64 }] }),
  );
  server.registerResource(
    'watched-resource',
    URI.watched,
    { description: 'A resource clients subscribe to', mimeType: 'text/plain' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: TEXT.watchedResource }],
    }),
  );
  server.registerResource(
    'template-data',
    new ResourceTemplate(URI.template, { list: undefined }),
    { description: 'JSON data for an id', mimeType: 'application/json' },
    async (uri, { id }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    }),
  );

  if (era === 'legacy') {
    server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
    server.server.setRequestHandler('resources/subscribe', async () => ({}));
    server.server.setRequestHandler('resources/unsubscribe', async () => ({}));
  }
}
