import { Component, type ComponentChildren, type FunctionComponent, h } from 'preact';

/** Whether `a` and `b` have the same keys with the same values (`Object.is`). */
export function shallowEqual(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const key of keys) if (!Object.hasOwn(y, key) || !Object.is(x[key], y[key])) return false;
  return true;
}

/**
 * `render` as a component that renders again only when a prop changed (shallow): the page
 * renders at every live batch, and the rows and cards that did not change are then skipped
 * instead of diffed (`preact/compat`'s `memo`, without bringing in the rest of compat).
 */
export function memo<P extends object>(render: FunctionComponent<P>) {
  class Memo extends Component<P> {
    override shouldComponentUpdate(next: P) {
      return !shallowEqual(this.props, next);
    }
    override render(props: P): ComponentChildren {
      return h(render, props);
    }
  }
  (Memo as { displayName?: string }).displayName = `memo(${render.name})`;
  return Memo;
}
