import type { RawItem } from '../upstream/catalog.js';
import type { RouterOptions } from './router.js';
import { createRouterLinks, type RouterLinks } from './routerLinks.js';
import type { UpstreamLink } from './upstreamLink.js';

/** What the parts of one router share: made once by `createRouter`, read per request. */
export interface RouterContext {
  readonly options: RouterOptions;
  /** The settings object a reload changes in place: read per request, never copied. */
  readonly settings: RouterOptions['settings'];
  readonly links: RouterLinks;
  /**
   * Each server's tools as this router last listed them live: the definitions its clients hold,
   * which the `Mcp-Param-*` headers of their calls follow (fresher than a catalog that only a
   * `list_changed` renews).
   */
  readonly listedTools: WeakMap<UpstreamLink, RawItem[]>;
  /**
   * True the first time `key` is asked for, then false: each warning is told once per router.
   * The keys of the different warnings share one set, as they always have.
   */
  firstWarning(key: string): boolean;
}

export function createRouterContext(options: RouterOptions): RouterContext {
  const warned = new Set<string>();
  return {
    options,
    settings: options.settings,
    links: createRouterLinks(options, options.host),
    listedTools: new WeakMap(),
    firstWarning(key) {
      if (warned.has(key)) return false;
      warned.add(key);
      return true;
    },
  };
}
