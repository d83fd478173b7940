import { UriTemplate } from '@modelcontextprotocol/server';
import { candidatesFor, exposeName, MAX_EXPOSED_NAME, type Namespace } from '../naming.js';
import type { ListMethod, RawItem } from '../upstream/catalog.js';

/** What routing knows about one server: its namespace and what it lists (live or catalog). */
export interface RouteSource extends Namespace {
  /** Items of a list, from the session's live list or else the last known good catalog. */
  known: (method: ListMethod) => RawItem[] | undefined;
  /** Whether the server has this capability (live or catalog). */
  has: (capability: string) => boolean;
}

/**
 * The server and upstream name behind an exposed tool or prompt name. Among servers whose prefix
 * matches, one that lists the name wins; then a listed name that `exposeName` shortened to this
 * one (a name of {@link MAX_EXPOSED_NAME} characters); otherwise the longest matching prefix.
 */
export function routeName(
  exposed: string,
  sources: readonly RouteSource[],
  separator: string,
  method: 'tools/list' | 'prompts/list',
): { server: string; name: string } | undefined {
  const candidates = candidatesFor(exposed, sources, separator);
  const listed = candidates.find(({ server, name }) =>
    sources
      .find((s) => s.server === server)
      ?.known(method)
      ?.some((item) => item.name === name),
  );
  return listed ?? (exposed.length === MAX_EXPOSED_NAME ? shortened() : undefined) ?? candidates[0];

  function shortened(): { server: string; name: string } | undefined {
    for (const source of sources) {
      for (const item of source.known(method) ?? []) {
        const name = String(item.name);
        if (exposeName(source.prefix, separator, name) === exposed)
          return { server: source.server, name };
      }
    }
    return undefined;
  }
}

/**
 * The server that owns a resource URI: one that lists it, else one whose template matches it,
 * else the only server with resources. `templateOnly` matches a `ref/resource` template string.
 */
export function routeUri(uri: string, sources: readonly RouteSource[]): string | undefined {
  for (const source of sources)
    if (source.known('resources/list')?.some((r) => r.uri === uri)) return source.server;
  for (const source of sources) {
    for (const t of source.known('resources/templates/list') ?? []) {
      if (typeof t.uriTemplate !== 'string') continue;
      if (t.uriTemplate === uri || matches(t.uriTemplate, uri)) return source.server;
    }
  }
  const withResources = sources.filter((s) => s.has('resources'));
  return withResources.length === 1 ? withResources[0]!.server : undefined;
}

function matches(template: string, uri: string): boolean {
  try {
    return new UriTemplate(template).match(uri) !== null;
  } catch {
    return false;
  }
}
