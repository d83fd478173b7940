import type { RouterOptions } from './router.js';
import { createRouterLinks, type RouterLinks } from './routerLinks.js';

/** What the parts of one router share: made once by `createRouter`, read per request. */
export interface RouterContext {
  readonly options: RouterOptions;
  /** The settings object a reload changes in place: read per request, never copied. */
  readonly settings: RouterOptions['settings'];
  readonly links: RouterLinks;
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
    firstWarning(key) {
      if (warned.has(key)) return false;
      warned.add(key);
      return true;
    },
  };
}
