import { describe, expect, it } from 'vitest';
import { orderByTrust } from './trustRouting.js';

const targets = (...servers: string[]) => servers.map((server) => ({ server }));
const order = (
  servers: string[],
  distrust: Record<string, number>,
  down: string[] = [],
  margin = 0.1,
) =>
  orderByTrust(
    targets(...servers),
    (s) => down.includes(s),
    (s) => distrust[s] ?? 0,
    () => margin,
  ).map((t) => t.server);

describe('orderByTrust', () => {
  it('keeps config order within the margin', () => {
    expect(order(['a', 'b'], { a: 0.15, b: 0.06 })).toEqual(['a', 'b']);
  });

  it('puts a later server first when it is less distrusted by more than the margin', () => {
    expect(order(['a', 'b', 'c'], { a: 0.5, b: 0.45, c: 0 })).toEqual(['c', 'a', 'b']);
  });

  it('leaves a down server in its place', () => {
    expect(order(['a', 'b', 'c'], { a: 0.5, c: 0 }, ['b'])).toEqual(['c', 'b', 'a']);
  });
});
