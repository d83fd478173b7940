import { compileForeignSchema, type ForeignValidator } from '@selfheal/schemas';
import { resultTypeOf } from '../stateless/envelope.js';

/** Validators kept at most; the oldest is dropped past it (tool definitions come and go). */
const MAX_VALIDATORS = 1024;

/** Options of {@link createOutputSchemaCheck}. */
export interface OutputSchemaCheckOptions {
  /** Compiles one outputSchema. @default compileForeignSchema (ajv, JSON Schema 2020-12) */
  compile?: (schema: Record<string, unknown> | boolean) => ForeignValidator;
  /**
   * Told once per definition whose outputSchema does not compile (its results go unchecked),
   * with a message naming the tool, the definition's hash and ajv's reason.
   */
  onUncompilable?: (message: string) => void;
}

/**
 * Checks tool results against their tool's `outputSchema` (RFC 0017, protocol violations). Each
 * schema is compiled once per tool definition, cached by the definition's hash (the pinned
 * one), never per call.
 */
export interface OutputSchemaCheck {
  /**
   * Why `result` breaks the outputSchema of `definition` (whose hash is `hash`), in one line
   * naming the first schema error, or undefined when it conforms, the tool declares no
   * outputSchema, or the result is not a final one (`resultType` other than `complete`).
   * As the MCP SDK's client: `structuredContent` is required unless `isError`, and checked
   * whenever present.
   */
  violation(
    hash: string,
    definition: Record<string, unknown>,
    result: Record<string, unknown>,
  ): string | undefined;
  /** How many validators are compiled and kept now. */
  readonly size: number;
}

/** Creates an {@link OutputSchemaCheck} with an empty cache. */
export function createOutputSchemaCheck(options: OutputSchemaCheckOptions = {}): OutputSchemaCheck {
  const compile = options.compile ?? compileForeignSchema;
  /** By definition hash; null: no outputSchema, or one that does not compile. */
  const cache = new Map<string, ForeignValidator | null>();

  const validatorOf = (hash: string, definition: Record<string, unknown>) => {
    let validator = cache.get(hash);
    if (validator !== undefined) return validator;
    const schema = definition.outputSchema;
    validator = null;
    if (isSchema(schema)) {
      try {
        validator = compile(schema);
      } catch (error) {
        options.onUncompilable?.(
          `tool "${String(definition.name)}" (definition ${hash}) declares an outputSchema that does not compile (${error instanceof Error ? error.message : String(error)}); its results are not checked against it`,
        );
      }
    }
    if (cache.size >= MAX_VALIDATORS) cache.delete(cache.keys().next().value!);
    cache.set(hash, validator);
    return validator;
  };

  return {
    violation(hash, definition, result) {
      // Only a final answer has a result to check (the SDK may have stripped resultType).
      if (resultTypeOf(result) !== 'complete') return undefined;
      const validator = validatorOf(hash, definition);
      if (validator === null) return undefined;
      const structured = result.structuredContent;
      if (structured === undefined)
        return result.isError === true
          ? undefined
          : 'the result has no structuredContent, but the tool declares an outputSchema';
      const [issue] = validator(structured);
      if (issue === undefined) return undefined;
      return `structuredContent${issue.pointer}: expected ${issue.expected}, found ${issue.found}`;
    },
    get size() {
      return cache.size;
    },
  };
}

function isSchema(value: unknown): value is Record<string, unknown> | boolean {
  return typeof value === 'boolean' || (typeof value === 'object' && value !== null);
}
