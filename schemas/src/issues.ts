import type { ErrorObject } from 'ajv';

/**
 * One reason a document does not conform: where (a JSON pointer into the document, `""` for
 * the whole document), what was expected there and what was found.
 */
export interface ValidationIssue {
  /** RFC 6901 pointer into the validated document; `""` is the document itself. */
  pointer: string;
  /** What the schema expects at `pointer`, in words. */
  expected: string;
  /** What the document has at `pointer`: a short JSON rendering, or `nothing` when absent. */
  found: string;
  /** The JSON Schema keyword that failed (`required`, `type`, `enum`, ...). */
  keyword: string;
  /** One line for people: `<pointer>: expected <expected>, found <found>`. */
  message: string;
}

/** Escapes one reference token per RFC 6901. */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Resolves an RFC 6901 pointer against `document`; `undefined` when it leads nowhere. */
export function resolvePointer(document: unknown, pointer: string): unknown {
  if (pointer === '') return document;
  let node: unknown = document;
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

/** A short JSON rendering of a value for messages; long values are cut. */
export function describeValue(value: unknown, max = 60): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function expectation(error: ErrorObject): { pointer: string; expected: string } {
  const p = error.params as Record<string, unknown>;
  const at = error.instancePath;
  switch (error.keyword) {
    case 'required':
      return {
        pointer: `${at}/${escapePointerToken(String(p.missingProperty))}`,
        expected: 'a value (required)',
      };
    case 'additionalProperties':
      return {
        pointer: `${at}/${escapePointerToken(String(p.additionalProperty))}`,
        expected: 'no such property (not in the schema; check the spelling)',
      };
    case 'propertyNames':
      return {
        pointer: `${at}/${escapePointerToken(String(p.propertyName))}`,
        expected: 'a different property name',
      };
    case 'type':
      return { pointer: at, expected: `a value of type ${String(p.type)}` };
    case 'enum':
      return {
        pointer: at,
        expected: `one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'const':
      return { pointer: at, expected: `exactly ${JSON.stringify(p.allowedValue)}` };
    case 'format':
      return { pointer: at, expected: `a string in ${String(p.format)} format` };
    case 'pattern':
      return { pointer: at, expected: `a string matching ${String(p.pattern)}` };
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return { pointer: at, expected: `a number ${String(p.comparison)} ${String(p.limit)}` };
    case 'minLength':
      return { pointer: at, expected: `a string of at least ${String(p.limit)} characters` };
    case 'minItems':
      return { pointer: at, expected: `at least ${String(p.limit)} items` };
    case 'uniqueItems':
      return { pointer: at, expected: 'items without duplicates' };
    case 'errorMessage':
      return { pointer: at, expected: error.message ?? 'a valid value' };
    default:
      return { pointer: at, expected: `a value that ${error.message ?? 'conforms'}` };
  }
}

/**
 * Turns ajv's errors into {@link ValidationIssue}s that name the pointer, the expectation and
 * the value found. Wrapper errors (`if`, and `propertyNames` echoes of a nested pattern) that
 * only repeat another issue are dropped; duplicates are merged.
 */
export function toIssues(
  errors: readonly ErrorObject[] | null | undefined,
  document: unknown,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  const names = new Map<string, string>();
  // ajv-errors replaces a keyword's error with a custom message but leaves the errors of that
  // keyword's subschemas (the branches of a oneOf); those only restate the custom message.
  const replaced: string[] = [];
  for (const error of errors ?? []) {
    if (error.keyword !== 'errorMessage') continue;
    for (const original of (error.params as { errors?: ErrorObject[] }).errors ?? []) {
      replaced.push(`${original.schemaPath}/`);
    }
  }
  for (const error of errors ?? []) {
    if (error.keyword === 'propertyNames') {
      names.set(
        error.instancePath,
        String((error.params as { propertyName?: string }).propertyName),
      );
    }
  }
  for (const error of errors ?? []) {
    if (error.keyword === 'if') continue;
    if (replaced.some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    let { pointer, expected } = expectation(error);
    // ajv reports a bad property name twice: the inner keyword (pattern) at the object, and
    // propertyNames naming the key. Merge them into one issue at the key.
    if (error.keyword !== 'propertyNames' && error.propertyName !== undefined) {
      const name = names.get(error.instancePath) ?? error.propertyName;
      pointer = `${error.instancePath}/${escapePointerToken(name)}`;
      expected =
        error.keyword === 'errorMessage'
          ? (error.message ?? 'a different property name')
          : `a property name matching ${String((error.params as { pattern?: string }).pattern)}`;
    } else if (error.keyword === 'propertyNames') {
      continue;
    }
    const value = resolvePointer(document, pointer);
    const found =
      error.propertyName !== undefined || error.keyword === 'additionalProperties'
        ? `property ${JSON.stringify(pointer.split('/').pop()?.replaceAll('~1', '/').replaceAll('~0', '~'))}`
        : describeValue(value);
    const message = `${pointer || '(document)'}: expected ${expected}, found ${found}`;
    if (seen.has(message)) continue;
    seen.add(message);
    issues.push({ pointer, expected, found, keyword: error.keyword, message });
  }
  return issues;
}
