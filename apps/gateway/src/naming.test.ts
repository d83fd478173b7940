import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.js';
import {
  candidatesFor,
  createToolFilter,
  exposeName,
  isShortened,
  MAX_EXPOSED_NAME,
  resolveCollisions,
} from './naming.js';
import { routeName } from './session/routing.js';

const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}$/);

describe('exposeName / candidatesFor', () => {
  it('round-trips: the exposed name routes back to its server and name', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 4 }),
        name,
        fc.constantFrom('__', '.', '-', ''),
        (prefixes, tool, sep) => {
          const namespaces = prefixes.map((prefix, i) => ({ server: `s${i}`, prefix }));
          for (const ns of namespaces) {
            const exposed = exposeName(ns.prefix, sep, tool);
            expect(candidatesFor(exposed, namespaces, sep)).toContainEqual({
              server: ns.server,
              name: tool,
            });
          }
        },
      ),
    );
  });

  it('leaves names unchanged with an empty prefix and ranks it last', () => {
    const namespaces = [
      { server: 'plain', prefix: '' },
      { server: 'gh', prefix: 'gh' },
    ];
    expect(exposeName('', '__', 'search')).toBe('search');
    expect(candidatesFor('gh__search', namespaces, '__')).toEqual([
      { server: 'gh', name: 'search' },
      { server: 'plain', name: 'gh__search' },
    ]);
    expect(candidatesFor('gh__', namespaces, '__')).toEqual([{ server: 'plain', name: 'gh__' }]);
  });
});

describe('resolveCollisions', () => {
  const items = [
    { server: 'a', name: 'echo', exposed: 'echo' },
    { server: 'b', name: 'echo', exposed: 'echo' },
    { server: 'b', name: 'sum', exposed: 'sum' },
  ];

  it('throws naming both servers under the error policy', () => {
    expect(() => resolveCollisions(items, 'error', 'tool')).toThrow(GatewayError);
    expect(() => resolveCollisions(items, 'error', 'tool')).toThrow(
      'tool "echo" is exposed by both "a" (as "echo") and "b" (as "echo")',
    );
  });

  it('keeps the first in config order under first_wins, and returns each clash', () => {
    const { kept, dropped, clashes } = resolveCollisions(items, 'first_wins', 'tool');
    expect(kept.map((i) => `${i.server}:${i.name}`)).toEqual(['a:echo', 'b:sum']);
    expect(dropped).toEqual([items[1]]);
    expect(clashes).toEqual(['tool "echo" is exposed by both "a" (as "echo") and "b" (as "echo")']);
  });

  it('finds no clash in the same server listing a name twice', () => {
    const twice = [items[0]!, items[0]!];
    expect(resolveCollisions(twice, 'error', 'tool')).toEqual({
      kept: [items[0]],
      dropped: [],
      clashes: [],
    });
  });
});

describe('createToolFilter', () => {
  it('allows by glob, then denies by glob', () => {
    const visible = createToolFilter({ allow: ['get-*', 'echo'], deny: ['get-env'] });
    expect(['echo', 'get-sum', 'get-env', 'toggle', 'xecho'].filter(visible)).toEqual([
      'echo',
      'get-sum',
    ]);
  });

  it('treats regex characters in names literally', () => {
    const visible = createToolFilter({ deny: ['a.b'] });
    expect(visible('a.b')).toBe(false);
    expect(visible('axb')).toBe(true);
  });

  it('lets everything through with no rules', () => {
    fc.assert(fc.property(fc.string(), (n) => createToolFilter({})(n)));
  });
});

describe('exposed names past 64 characters', () => {
  const longName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,90}$/);
  const sep = fc.constantFrom('__', '.', '-', '');

  it('are never longer than 64, the same every time, and the tool name stays whole when it fits', () => {
    fc.assert(
      fc.property(longName, sep, longName, (prefix, separator, tool) => {
        const exposed = exposeName(prefix, separator, tool);
        expect(exposed.length).toBeLessThanOrEqual(MAX_EXPOSED_NAME);
        expect(exposeName(prefix, separator, tool)).toBe(exposed);
        const full = prefix === '' ? tool : `${prefix}${separator}${tool}`;
        expect(isShortened(prefix, separator, tool)).toBe(full.length > MAX_EXPOSED_NAME);
        if (full.length <= MAX_EXPOSED_NAME) expect(exposed).toBe(full);
        else if (prefix !== '' && tool.length + separator.length + 8 <= MAX_EXPOSED_NAME)
          expect(exposed.endsWith(`${separator}${tool}`)).toBe(true);
      }),
    );
  });

  it('cuts the prefix and marks it with a hash of the whole name', () => {
    const prefix = `analytics-warehouse-${'x'.repeat(40)}`;
    const exposed = exposeName(prefix, '__', 'run_query');
    expect(exposed).toMatch(/^analytics-warehouse-x+-[0-9a-f]{6}__run_query$/);
    expect(exposed).toHaveLength(64);
    // Two servers whose prefixes share the first 50 characters still differ.
    expect(exposeName(`${prefix}y`, '__', 'run_query')).not.toBe(exposed);
  });

  it('routes a shortened name back to the server that lists the tool', () => {
    const prefix = 'p'.repeat(70);
    const tools = [{ name: 'echo' }, { name: 'add' }];
    const sources = [
      { server: 'short', prefix: 's', known: () => tools, has: () => true },
      { server: 'long', prefix, known: () => tools, has: () => true },
    ];
    const exposed = exposeName(prefix, '__', 'add');
    expect(routeName(exposed, sources, '__', 'tools/list')).toEqual({
      server: 'long',
      name: 'add',
    });
    expect(routeName('s__echo', sources, '__', 'tools/list')).toEqual({
      server: 'short',
      name: 'echo',
    });
  });
});
