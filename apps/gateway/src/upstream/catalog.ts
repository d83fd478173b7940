import type { Client, RequestOptions, ServerCapabilities } from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import type { ToolAnnotations } from '@selfheal/resilience';

/** An item of an MCP list as the upstream sent it; only `name` / `uri` are read by the gateway. */
export type RawItem = Record<string, unknown>;

/** A listed tool's `annotations`, when it has an object there (what the retry rules read). */
export function toolAnnotationsOf(tool: RawItem | undefined): ToolAnnotations | undefined {
  const annotations = tool?.annotations;
  return annotations && typeof annotations === 'object'
    ? (annotations as ToolAnnotations)
    : undefined;
}

/** The list methods the gateway aggregates, and the result key of each. */
export const LIST_KEYS = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resourceTemplates',
} as const;

/** A list method. */
export type ListMethod = keyof typeof LIST_KEYS;

/**
 * The notification that says a list changed, by list method (both resource lists share one),
 * and back: the list each such notification is about (the catalog is listed whole anyway).
 */
export const LIST_CHANGED_NOTIFICATION: Record<ListMethod, string> = {
  'tools/list': 'notifications/tools/list_changed',
  'prompts/list': 'notifications/prompts/list_changed',
  'resources/list': 'notifications/resources/list_changed',
  'resources/templates/list': 'notifications/resources/list_changed',
};

/** The list a list-changed notification method is about, if it is one. */
export function listChangedBy(notification: string): ListMethod | undefined {
  if (notification === 'notifications/tools/list_changed') return 'tools/list';
  if (notification === 'notifications/prompts/list_changed') return 'prompts/list';
  if (notification === 'notifications/resources/list_changed') return 'resources/list';
  return undefined;
}

/** Which server capability a list method needs. */
export const LIST_CAPABILITY: Record<ListMethod, keyof ServerCapabilities> = {
  'tools/list': 'tools',
  'prompts/list': 'prompts',
  'resources/list': 'resources',
  'resources/templates/list': 'resources',
};

/** What one upstream offers, as last listed: the last known good catalog of a server. */
export interface Catalog {
  tools: RawItem[];
  prompts: RawItem[];
  resources: RawItem[];
  resourceTemplates: RawItem[];
  capabilities: ServerCapabilities;
  /** The upstream's `instructions` from its initialize result. */
  instructions?: string;
  /** Epoch ms when it was listed. */
  listedAt: number;
}

/**
 * Lists every page of `method` from a connected client, items kept raw (unknown fields and
 * `_meta` included). Resolves to [] when the server lacks the capability.
 */
export async function listAll(
  client: Client,
  method: ListMethod,
  options: RequestOptions = {},
): Promise<RawItem[]> {
  const capabilities = client.getServerCapabilities() ?? {};
  if (!capabilities[LIST_CAPABILITY[method]]) return [];
  const key = LIST_KEYS[method];
  const items: RawItem[] = [];
  let cursor: string | undefined;
  // A server that hands back the same cursor forever must not hang the gateway.
  for (let page = 0; page < 1000; page++) {
    const params = cursor === undefined ? {} : { cursor };
    const result = (await client.request({ method, params }, ResultSchema, options)) as Record<
      string,
      unknown
    >;
    const pageItems = result[key];
    if (Array.isArray(pageItems)) items.push(...(pageItems as RawItem[]));
    cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
    if (cursor === undefined) break;
  }
  return items;
}

/** Lists everything a connected upstream offers. */
export async function fetchCatalog(
  client: Client,
  now: number,
  options: RequestOptions = {},
): Promise<Catalog> {
  const [tools, prompts, resources, resourceTemplates] = await Promise.all([
    listAll(client, 'tools/list', options),
    listAll(client, 'prompts/list', options),
    listAll(client, 'resources/list', options),
    listAll(client, 'resources/templates/list', options),
  ]);
  return {
    tools,
    prompts,
    resources,
    resourceTemplates,
    capabilities: client.getServerCapabilities() ?? {},
    instructions: client.getInstructions(),
    listedAt: now,
  };
}
