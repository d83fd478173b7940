/** The label value that stands for every value past a {@link createLabelCap}'s limit. */
export const OTHER_LABEL = '_other';

/**
 * Bounds the cardinality of one metric label: a value `isKnown` accepts (a configured server,
 * a tool from a catalog) passes as is; other values pass until `max` distinct ones have been
 * seen, then become {@link OTHER_LABEL}. Never throws; a non-string becomes `''`.
 * @param max distinct unknown values kept. @default 50
 */
export function createLabelCap(
  isKnown: (value: string) => boolean = () => false,
  max = 50,
): (value: unknown) => string {
  const seen = new Set<string>();
  const known = new Set<string>();
  return (value) => {
    const text = typeof value === 'string' ? value : '';
    if (seen.has(text) || known.has(text)) return text;
    if (isKnown(text)) {
      known.add(text);
      return text;
    }
    if (seen.size >= max) return OTHER_LABEL;
    seen.add(text);
    return text;
  };
}
