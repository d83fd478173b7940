import { createHash } from 'node:crypto';
import { GatewayError, GatewayErrorCode } from './errors.js';

/**
 * The longest exposed name: clients (and the model APIs behind them) refuse tool names past 64
 * characters, so a longer `<prefix><separator><name>` is shortened (see {@link exposeName}).
 */
export const MAX_EXPOSED_NAME = 64;

/** Hex digits of the hash that marks a shortened name. */
const HASH_DIGITS = 6;

/** How one server's names are exposed. */
export interface Namespace {
  server: string;
  /** `""` exposes names unchanged. */
  prefix: string;
}

/**
 * The exposed name of an upstream tool or prompt: `<prefix><separator><name>`, or `name` with
 * an empty prefix. One longer than {@link MAX_EXPOSED_NAME} is shortened, the same way every
 * time: the prefix is cut and marked with a hash of the whole name (`<prefix head>-<6 hex>
 * <separator><name>`), so the tool's own name stays whole; when the name alone is too long, the
 * whole is cut to fit and marked the same way (`<head>-<6 hex>`). Routing finds a shortened
 * name by computing it again for the names a server lists.
 */
export function exposeName(prefix: string, separator: string, name: string): string {
  const full = prefix === '' ? name : `${prefix}${separator}${name}`;
  if (full.length <= MAX_EXPOSED_NAME) return full;
  const mark = `-${createHash('sha256').update(full).digest('hex').slice(0, HASH_DIGITS)}`;
  const room = MAX_EXPOSED_NAME - mark.length - separator.length - name.length;
  if (prefix !== '' && room >= 1) return `${prefix.slice(0, room)}${mark}${separator}${name}`;
  return `${full.slice(0, MAX_EXPOSED_NAME - mark.length)}${mark}`;
}

/** Whether {@link exposeName} had to shorten this name. */
export function isShortened(prefix: string, separator: string, name: string): boolean {
  return (
    (prefix === '' ? name.length : prefix.length + separator.length + name.length) >
    MAX_EXPOSED_NAME
  );
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
 * order) and returns the dropped ones, and each clash as a sentence, so the caller can report
 * them.
 */
export function resolveCollisions<T extends NamedItem>(
  items: readonly T[],
  policy: 'error' | 'first_wins',
  kind: 'tool' | 'prompt',
): { kept: T[]; dropped: T[]; clashes: string[] } {
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
  if (clashes.length > 0 && policy === 'error')
    throw new GatewayError(GatewayErrorCode.NameCollision, collisionMessage(clashes), {
      data: clashes,
    });
  return { kept, dropped, clashes };
}

/** What the `error` policy says of the clashes {@link resolveCollisions} found, with the ways out. */
export function collisionMessage(clashes: readonly string[]): string {
  return `name collision: ${clashes.join('; ')}. Give one server a different "prefix", hide the tool with "tools.deny", or set gateway.on_collision to "first_wins".`;
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
