import type { LoadedConfig } from '../config/loadConfig.js';
import { collisionMessage, createToolFilter, exposeName, resolveCollisions } from '../naming.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';

// What clients see of the catalogs known so far, under the config's naming: read by the
// metrics (label values), by `start()` (collisions) and by a reload (what changed).

/** Exposed tool names of every catalog known now (label values metrics always keep). */
export function exposedTools(
  upstreams: readonly UpstreamServer[],
  config: LoadedConfig,
): Set<string> {
  const names = new Set<string>();
  for (const u of upstreams) {
    for (const tool of u.catalog?.tools ?? []) {
      names.add(exposeName(u.spec.prefix, config.gateway.separator, String(tool.name)));
    }
  }
  return names;
}

/** Exposed names of one kind across the catalogs known so far, tool filters applied. */
function exposedItems(
  upstreams: readonly UpstreamServer[],
  config: LoadedConfig,
  kind: 'tool' | 'prompt',
) {
  return upstreams.flatMap((u) => {
    const visible = kind === 'tool' ? createToolFilter(u.spec.config.tools ?? {}) : () => true;
    const list = kind === 'tool' ? (u.catalog?.tools ?? []) : (u.catalog?.prompts ?? []);
    return list
      .map((item) => String(item.name))
      .filter(visible)
      .map((name) => ({
        server: u.spec.name,
        name,
        exposed: exposeName(u.spec.prefix, config.gateway.separator, name),
      }));
  });
}

/** The exposed tool names clients can list now, sorted. */
export function visibleTools(upstreams: readonly UpstreamServer[], config: LoadedConfig): string[] {
  return exposedItems(upstreams, config, 'tool')
    .map((item) => `${item.server}\u0000${item.exposed}`)
    .sort();
}

/** Start-up check of exposed tool and prompt names across the catalogs known so far. */
export function checkCollisions(upstreams: readonly UpstreamServer[], config: LoadedConfig): void {
  for (const kind of ['tool', 'prompt'] as const)
    resolveCollisions(exposedItems(upstreams, config, kind), config.gateway.onCollision, kind);
}

/**
 * The clashes of exposed names across the catalogs known so far, whatever the policy: for each
 * kind that clashes (tools, then prompts), the sentence the `error` policy would throw at
 * start-up; empty when none does.
 */
export function collisionsOf(upstreams: readonly UpstreamServer[], config: LoadedConfig): string[] {
  const sentences: string[] = [];
  for (const kind of ['tool', 'prompt'] as const) {
    const items = exposedItems(upstreams, config, kind);
    const { clashes } = resolveCollisions(items, 'first_wins', kind);
    if (clashes.length > 0) sentences.push(collisionMessage(clashes));
  }
  return sentences;
}
