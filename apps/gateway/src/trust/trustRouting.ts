/**
 * The order in which a call tries `open` (targets none refuses), by trust (RFC 0017): a later
 * target goes first only when its `distrust` is lower than an earlier one's by more than that
 * earlier one's `margin`; otherwise config order stands. A target `isDown` says is down keeps
 * its place: the chain skips it and says so (`fallback_used`).
 */
export function orderByTrust<T extends { server: string }>(
  open: readonly T[],
  isDown: (server: string) => boolean,
  distrust: (server: string) => number,
  margin: (server: string) => number,
): T[] {
  if (open.length < 2) return [...open]; // nothing to order
  const movable = open.filter((t) => !isDown(t.server));
  const ordered: T[] = [];
  const rest = [...movable];
  while (rest.length > 0) {
    const first = rest[0]!;
    let best = first;
    for (const t of rest) if (distrust(t.server) < distrust(best.server)) best = t;
    const pick =
      distrust(best.server) + margin(first.server) < distrust(first.server) ? best : first;
    ordered.push(pick);
    rest.splice(rest.indexOf(pick), 1);
  }
  let next = 0;
  return open.map((t) => (isDown(t.server) ? t : ordered[next++]!));
}
