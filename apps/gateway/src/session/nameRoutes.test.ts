import { describe, expect, it } from 'vitest';
import {
  noSessionHost as host,
  catalogUpstream as upstream,
} from '../../test/helpers/routingFixtures.js';
import { findByName, routeByName } from './nameRoutes.js';
import { createRouter, type RouterOptions } from './router.js';
import { createRouterContext } from './routerContext.js';
import type { ToolCallHost } from './toolCall.js';
import { toolTargets } from './toolTargets.js';

/** Servers a (its `secret` tool hidden by its filter) and b; a `fallbacks` chain for a__echo. */
function options(): RouterOptions {
  return {
    upstreams: [
      upstream('a', ['echo', 'secret'], { tools: { deny: ['secret'] } }, ['greet']),
      upstream('b', ['echo', 'sum']),
    ],
    settings: { separator: '__', degradation: 'list_with_error', requestTimeoutMs: 1000 },
    host,
    calls: {} as ToolCallHost,
    fallbacks: { a__echo: ['c__echo', 'a__secret', 'echo', 'b__sum'] },
  };
}

describe('findByName', () => {
  const context = createRouterContext(options());

  it('finds the link and upstream name of a listed tool or prompt', () => {
    const found = findByName(context, 'tools/list', 'b__sum');
    expect(found?.link.name).toBe('b');
    expect(found?.name).toBe('sum');
    expect(findByName(context, 'prompts/list', 'a__greet')?.name).toBe('greet');
  });

  it('routes a name by its prefix when the server does not list it (the server answers)', () => {
    expect(findByName(context, 'tools/list', 'b__nope')).toMatchObject({ name: 'nope' });
  });

  it("finds nothing for a name of no server's prefix, or a tool its server filter hides", () => {
    expect(findByName(context, 'tools/list', 'c__echo')).toBeUndefined();
    expect(findByName(context, 'tools/list', 'echo')).toBeUndefined();
    expect(findByName(context, 'tools/list', 'a__secret')).toBeUndefined();
  });

  it('applies the tools filter to tools only', () => {
    const ctx = createRouterContext({
      ...options(),
      upstreams: [upstream('a', [], { tools: { deny: ['*'] } }, ['greet'])],
    });
    expect(findByName(ctx, 'prompts/list', 'a__greet')?.name).toBe('greet');
  });
});

describe('routeByName', () => {
  const context = createRouterContext(options());

  it('routes as findByName does', () => {
    expect(routeByName(context, 'tools/list', 'b__sum')).toEqual(
      findByName(context, 'tools/list', 'b__sum'),
    );
  });

  it('refuses an unknown, hidden or non-string name with InvalidParams naming it', () => {
    const refusal = (method: 'tools/list' | 'prompts/list', name: unknown) => {
      try {
        routeByName(context, method, name);
      } catch (error) {
        return { code: (error as { code: number }).code, message: (error as Error).message };
      }
      return undefined;
    };
    expect(refusal('tools/list', 'c__echo')).toEqual({
      code: -32602,
      message: 'Tool c__echo not found',
    });
    expect(refusal('tools/list', 'a__secret')?.message).toBe('Tool a__secret not found');
    expect(refusal('prompts/list', 'c__greet')?.message).toBe('Prompt c__greet not found');
    expect(refusal('tools/list', 7)?.message).toBe('Tool 7 not found');
  });
});

describe("a call's targets and the router's tool", () => {
  it('skip the names of a fallbacks chain that route nowhere or that a filter hides', () => {
    const context = createRouterContext(options());
    const targets = toolTargets(context, 'a__echo');
    expect(targets.map((t) => `${t.server}:${t.name} as ${t.exposed}`)).toEqual([
      'a:echo as a__echo',
      'b:sum as b__sum',
    ]);
  });

  it('router.tool: the listed tool, or undefined for a name that routes nowhere', async () => {
    const router = createRouter(options());
    expect(router.tool('b__sum')?.name).toBe('sum');
    expect(router.tool('a__secret')).toBeUndefined();
    expect(router.tool('nope')).toBeUndefined();
    await router.close();
  });
});
