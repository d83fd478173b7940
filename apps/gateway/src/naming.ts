import { GatewayError, GatewayErrorCode } from './errors.js';

/** How one server's names are exposed. */
export interface Namespace {
  server: string;
  /** `""` exposes names unchanged. */
  prefix: string;
}

/** The exposed name of an upstream tool or prompt: `<prefix><separator><name>`, or `name`. */
export function exposeName(prefix: string, separator: string, name: string): string {
  return prefix === '' ? name : `${prefix}${separator}${name}`;
}

/**
 * The servers an exposed name may belong to, longest prefix first, each with the upstream name
 * it maps to. An empty prefix matches every name, so it comes last.
 */
export function candidatesFor(
  exposed: string,
  namespaces: readonly Namespace[],
  separator: string,
): { server: string; name: string }[] {
  const found: { server: string; name: string; rank: number }[] = [];
  for (const ns of namespaces) {
    if (ns.prefix === '') {
      found.push({ server: ns.server, name: exposed, rank: 0 });
      continue;
    }
    const head = `${ns.prefix}${separator}`;
    if (exposed.length > head.length && exposed.startsWith(head))
      found.push({ server: ns.server, name: exposed.slice(head.length), rank: head.length });
  }
  return found.sort((a, b) => b.rank - a.rank).map(({ server, name }) => ({ server, name }));
}

/** One item of an aggregated list: which server it came from, its upstream and exposed names. */
export interface NamedItem {
  server: string;
  name: string;
  exposed: string;
}

/**
 * Checks an aggregated list for exposed names claimed by two servers. With `error` it throws a
 * GatewayError(NAME_COLLISION) naming every clash; with `first_wins` it keeps the first (config
 * order) and returns the dropped ones so the caller can report them.
 */
export function resolveCollisions<T extends NamedItem>(
  items: readonly T[],
  policy: 'error' | 'first_wins',
  kind: 'tool' | 'prompt',
): { kept: T[]; dropped: T[] } {
  const owner = new Map<string, T>();
  const kept: T[] = [];
  const dropped: T[] = [];
  const clashes: string[] = [];
  for (const item of items) {
    const first = owner.get(item.exposed);
    if (first === undefined) {
      owner.set(item.exposed, item);
      kept.push(item);
    } else if (first.server !== item.server) {
      dropped.push(item);
      clashes.push(
        `${kind} "${item.exposed}" is exposed by both "${first.server}" (as "${first.name}") and "${item.server}" (as "${item.name}")`,
      );
    }
  }
  if (clashes.length > 0 && policy === 'error') {
    throw new GatewayError(
      GatewayErrorCode.NameCollision,
      `name collision: ${clashes.join('; ')}. Give one server a different "prefix", hide the tool with "tools.deny", or set gateway.on_collision to "first_wins".`,
      { data: clashes },
    );
  }
  return { kept, dropped };
}

/** A matcher for `tools.allow` / `tools.deny`: names or globs where `*` matches any run. */
export function createToolFilter(rules: {
  allow?: readonly string[];
  deny?: readonly string[];
}): (name: string) => boolean {
  const allow = rules.allow?.map(globToRegExp);
  const deny = rules.deny?.map(globToRegExp) ?? [];
  return (name) =>
    (allow === undefined || allow.some((re) => re.test(name))) && !deny.some((re) => re.test(name));
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}
