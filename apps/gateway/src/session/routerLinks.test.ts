import { describe, expect, it, vi } from 'vitest';
import {
  noSessionHost as host,
  catalogUpstream as upstream,
} from '../../test/helpers/routingFixtures.js';
import { createRouterLinks } from './routerLinks.js';

describe('createRouterLinks', () => {
  it('hands out the same lists while the upstreams stay the same', () => {
    const upstreams = [upstream('a'), upstream('b')];
    const links = createRouterLinks({ upstreams }, host);
    const first = links.current();
    expect(first.map((l) => l.name)).toEqual(['a', 'b']);
    expect(links.current()).toBe(first);
    expect(links.sources()).toBe(links.sources());
    expect(links.sources().map((s) => s.server)).toEqual(['a', 'b']);
  });

  it('follows a reload that changes the array in place: new links, the removed one closed', () => {
    const [a, b, c] = [upstream('a'), upstream('b'), upstream('c')];
    const upstreams = [a, b];
    let generation = 0;
    const links = createRouterLinks({ upstreams, upstreamsGeneration: () => generation }, host);
    const [linkA, linkB] = links.current();
    const closeB = vi.spyOn(linkB!, 'close');
    // The gateway's reload: the same array, spliced, and the change counted (RFC 0019).
    upstreams.splice(0, upstreams.length, c, a);
    generation++;
    const after = links.current();
    expect(after.map((l) => l.name)).toEqual(['c', 'a']);
    expect(after[1]).toBe(linkA);
    expect(links.sources().map((s) => s.server)).toEqual(['c', 'a']);
    expect(links.linkOf('c')).toBe(after[0]);
    expect(links.made()).toEqual(after.slice().reverse());
    expect(closeB).toHaveBeenCalledTimes(1);
    links.current();
    expect(closeB).toHaveBeenCalledTimes(1);
  });

  it('follows a reorder of the same upstreams', () => {
    const [a, b] = [upstream('a'), upstream('b')];
    const upstreams = [a, b];
    let generation = 0;
    const links = createRouterLinks({ upstreams, upstreamsGeneration: () => generation }, host);
    links.current();
    upstreams.reverse();
    generation++;
    expect(links.current().map((l) => l.name)).toEqual(['b', 'a']);
    expect(links.sources().map((s) => s.server)).toEqual(['b', 'a']);
  });

  it('reads the array again only when the count moves, not item by item per read', () => {
    const [a, b] = [upstream('a'), upstream('b')];
    const upstreams = [a];
    let generation = 7;
    const links = createRouterLinks({ upstreams, upstreamsGeneration: () => generation }, host);
    const first = links.current();
    upstreams.push(b);
    expect(links.current()).toBe(first);
    generation++;
    expect(links.current().map((l) => l.name)).toEqual(['a', 'b']);
  });
});
