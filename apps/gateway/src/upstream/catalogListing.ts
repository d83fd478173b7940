import type { Client } from '@modelcontextprotocol/client';
import { fetchCatalog, type ListMethod } from './catalog.js';
import type { UpstreamContext } from './upstreamState.js';

/** Keeps an upstream's catalog: listed on each new session and again on `list_changed`. */
export interface CatalogListing {
  /**
   * Lists the catalog over `client`. Resolves once it is the catalog (or failed, keeping the
   * last good one), or, when a newer listing overtook it, once that one is done.
   */
  refresh(client: Client): Promise<void>;
  /** The server said this list changed: lists again, then emits `listChanged`. */
  onListChanged(method: ListMethod): Promise<void>;
}

/** The catalog listing of the upstream behind `context`; each list request waits `timeoutMs`. */
export function createCatalogListing(context: UpstreamContext, timeoutMs: number): CatalogListing {
  /** Bumped per listing: only the newest one may become the catalog. */
  let generation = 0;
  /** The newest listing: an older one that finishes later waits for it instead. */
  let newest: Promise<void> = Promise.resolve();
  const refresh = (c: Client): Promise<void> => {
    newest = list(c, ++generation);
    return newest;
  };
  const list = async (c: Client, mine: number) => {
    try {
      const next = await fetchCatalog(c, context.clock.now(), { timeout: timeoutMs });
      // Overtaken by a newer listing (a list change meanwhile): that one's answer stands, and
      // whoever waits for this one (start()) waits for it.
      if (mine !== generation) return newest;
      if (c !== context.client || context.stopped) return;
      context.catalog = next;
      context.listed = c;
      context.emitter.emit('catalog', next);
    } catch {
      // The monitor's checks judge the server; a failed list keeps the last good catalog.
    }
    context.sync();
  };
  // Lists change rarely and every session is told: one re-list, then one notification each.
  // A change that arrives while a listing is under way (which may hold the old answer) is
  // listed again after it; every session hears of each list once the catalog has it.
  let relisting = false;
  const changed = new Set<ListMethod>();
  const onListChanged = async (method: ListMethod) => {
    changed.add(method);
    if (relisting) return;
    relisting = true;
    try {
      while (changed.size > 0 && context.client !== undefined && !context.stopped) {
        const methods = [...changed];
        changed.clear();
        await refresh(context.client);
        for (const m of methods) context.emitter.emit('listChanged', m);
      }
    } finally {
      relisting = false;
      changed.clear();
    }
  };
  return { refresh, onListChanged };
}
