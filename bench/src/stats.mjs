// Small statistics the bench scripts share, in a module with no side effects on load (the load
// generators' module resolves servers and SDK clients as it loads).

/** The median of the numbers in `xs` (NaN left out), or NaN when there are none. */
export const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
