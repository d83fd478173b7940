import { describe, expect, it } from 'vitest';
import type { LoadedConfig } from '../config/loadConfig.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { checkCollisions, collisionsOf } from './exposedNames.js';

/** An upstream as the naming reads it: a name, a prefix, a tool filter and a catalog. */
function upstream(
  name: string,
  prefix: string,
  lists: { tools?: string[]; prompts?: string[]; deny?: string[] },
): UpstreamServer {
  const items = (names: string[] = []) => names.map((n) => ({ name: n }));
  return {
    spec: { name, prefix, config: lists.deny ? { tools: { deny: lists.deny } } : {} },
    catalog: {
      tools: items(lists.tools),
      prompts: items(lists.prompts),
      resources: [],
      resourceTemplates: [],
    },
  } as unknown as UpstreamServer;
}

const config = (onCollision: 'error' | 'first_wins') =>
  ({ gateway: { separator: '__', onCollision } }) as unknown as LoadedConfig;

const ADVICE =
  'Give one server a different "prefix", hide the tool with "tools.deny", or set gateway.on_collision to "first_wins".';

describe('collisionsOf', () => {
  it('is empty while no two servers expose the same name', () => {
    const upstreams = [
      upstream('a', 'a', { tools: ['echo'] }),
      upstream('b', 'b', { tools: ['echo'] }),
    ];
    expect(collisionsOf(upstreams, config('first_wins'))).toEqual([]);
  });

  it('says every tool clash in one sentence, whatever the policy, as the start-up check throws it', () => {
    const upstreams = [
      upstream('a', 'x', { tools: ['echo', 'sum'] }),
      upstream('b', 'x', { tools: ['echo', 'sum', 'own'] }),
    ];
    const expected = `name collision: tool "x__echo" is exposed by both "a" (as "echo") and "b" (as "echo"); tool "x__sum" is exposed by both "a" (as "sum") and "b" (as "sum"). ${ADVICE}`;
    expect(collisionsOf(upstreams, config('first_wins'))).toEqual([expected]);
    expect(collisionsOf(upstreams, config('error'))).toEqual([expected]);
    expect(() => checkCollisions(upstreams, config('error'))).toThrow(expected);
    expect(() => checkCollisions(upstreams, config('first_wins'))).not.toThrow();
  });

  it('leaves out a tool the filter hides, and tells prompt clashes when no tool clashes', () => {
    const upstreams = [
      upstream('a', 'x', { tools: ['echo'], prompts: ['greet'] }),
      upstream('b', 'x', { tools: ['echo'], prompts: ['greet'], deny: ['echo'] }),
    ];
    expect(collisionsOf(upstreams, config('first_wins'))).toEqual([
      `name collision: prompt "x__greet" is exposed by both "a" (as "greet") and "b" (as "greet"). ${ADVICE}`,
    ]);
  });

  it('tells the tool clashes and the prompt clashes, a sentence each, when both kinds clash', () => {
    const upstreams = [
      upstream('a', 'x', { tools: ['echo'], prompts: ['greet'] }),
      upstream('b', 'x', { tools: ['echo'], prompts: ['greet'] }),
    ];
    expect(collisionsOf(upstreams, config('first_wins'))).toEqual([
      `name collision: tool "x__echo" is exposed by both "a" (as "echo") and "b" (as "echo"). ${ADVICE}`,
      `name collision: prompt "x__greet" is exposed by both "a" (as "greet") and "b" (as "greet"). ${ADVICE}`,
    ]);
  });
});
