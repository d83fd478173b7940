import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from './errors.js';
import { candidatesFor, createToolFilter, exposeName, resolveCollisions } from './naming.js';

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

  it('keeps the first in config order under first_wins', () => {
    const { kept, dropped } = resolveCollisions(items, 'first_wins', 'tool');
    expect(kept.map((i) => `${i.server}:${i.name}`)).toEqual(['a:echo', 'b:sum']);
    expect(dropped).toEqual([items[1]]);
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
